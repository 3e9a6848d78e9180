"""API routers, one module per subject; each route asks for a permission, not a role."""
