"""Configuration from the environment (a `.env` file is read if present).

`LIANXIN_*` configure the application, `WECHAT_*` the official account. Defaults run the whole
thing on one machine with a SQLite file and development WeChat credentials, so `make run` and
`lianxin chat` work before an account is configured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from storage.cipher import DEV_DATA_KEY

DEV_WECHAT_TOKEN = "lianxin-dev-token"
DEV_APP_ID = "wx0000000000000000"
DEV_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars; development only


def _default_database_url() -> str:
    data_dir = Path(os.environ.get("LIANXIN_DATA_DIR", "var")).resolve()
    return f"sqlite:///{data_dir / 'lianxin.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    secret_key: str = "dev-secret-change-me"
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Shanghai"
    policy_file: str | None = None
    default_policy: str = "national_2022"
    digest_hour: int = 8
    quiet_start: int = 21
    quiet_end: int = 8
    festival_lead_days: int = 3
    max_body_bytes: int = 64 * 1024
    redis_url: str | None = None
    log_level: str = "INFO"
    # Encryption of personal data at rest (storage.cipher): the current key, and earlier keys
    # (comma-separated) still readable until `lianxin keys rotate` has rewritten every value.
    data_key: str = DEV_DATA_KEY
    data_keys: str | None = None

    wechat_token: str = DEV_WECHAT_TOKEN
    wechat_app_id: str = DEV_APP_ID
    wechat_app_secret: str = "dev-secret"
    wechat_encoding_aes_key: str | None = None
    wechat_previous_encoding_aes_key: str | None = None
    wechat_api_base_url: str = "https://api.weixin.qq.com"
    wechat_template_id: str | None = None
    wechat_http_timeout: float = 5.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def previous_data_keys(self) -> list[str]:
        return [k.strip() for k in (self.data_keys or "").split(",") if k.strip()]


MIN_DATA_KEY_LENGTH = 32


def data_key_problem(settings: Settings) -> str | None:
    """Why this deployment must not start with its data key (one line), or None.

    A deployment (https base URL or a real AppID) needs its own LIANXIN_DATA_KEY of at least
    32 characters; `make run` (development defaults, http on loopback) starts with the default.
    """
    deployed = settings.base_url.startswith("https://") or settings.wechat_app_id != DEV_APP_ID
    if not deployed:
        return None
    if settings.data_key == DEV_DATA_KEY or len(settings.data_key) < MIN_DATA_KEY_LENGTH:
        return (f"LIANXIN_DATA_KEY 必须设置为至少 {MIN_DATA_KEY_LENGTH} 个字符的随机密钥"
                "（不能用开发默认值）")
    return None


_ENV_NAMES = {
    f.name: ("WECHAT_" + f.name.removeprefix("wechat_").upper())
    if f.name.startswith("wechat_")
    else ("LIANXIN_" + f.name.upper())
    for f in fields(Settings)
}


def env_names() -> dict[str, str]:
    """Setting name -> environment variable name (documented in README)."""
    return dict(_ENV_NAMES)


def load_settings(env: dict[str, str] | None = None, dotenv: bool = True, **overrides) -> Settings:
    """Read settings from `env` (default os.environ, after loading `.env` if present)."""
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = env.get(_ENV_NAMES[f.name])
        if raw is None or raw == "":
            continue
        if f.type in ("int", int):
            values[f.name] = int(raw)
        elif f.type in ("float", float):
            values[f.name] = float(raw)
        else:
            values[f.name] = raw
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
