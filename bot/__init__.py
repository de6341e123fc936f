"""WeChat-facing side of 连心: Flask app, webhook, WeChat API client and the `lianxin` CLI."""
