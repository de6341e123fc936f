"""WeChat protocol layer: signatures, safe-mode crypto, message XML, the API client.

Flask-free so the webhook view, the scheduler and the simulator can all build on it.
"""
