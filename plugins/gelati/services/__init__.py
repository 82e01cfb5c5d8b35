"""The marketplace's rules, one module per job; views, hooks and jobs call them."""
