"""The toolkit's version: the wheel's metadata reads it from here (hatch), so do
`sellerpic.__version__` and `sellerpic --version`. Kept free of imports so reading it is cheap."""

__version__ = "0.1.0"
