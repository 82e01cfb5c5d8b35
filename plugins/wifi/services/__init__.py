"""The rules of the Wi-Fi service, one module per job; views, hooks and jobs call them."""
