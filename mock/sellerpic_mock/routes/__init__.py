"""HTTP layer: parse requests, call the domain, answer in the API's envelope."""
