"""Workflow layer and CLI over the generated SellerPic client."""
