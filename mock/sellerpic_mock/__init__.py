"""Stateful offline simulator of the SellerPic AI API."""
