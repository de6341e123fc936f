"""Message understanding and one handler per intent (Flask-free, WeChat-free)."""
