"""What the API does, independent of HTTP: accounts, credits, limits, uploads, tasks, downloads."""
