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
from storage.clock import DEFAULT_TIMEZONE

DEV_SECRET_KEY = "dev-secret-change-me"
MIN_SECRET_KEY_CHARS = 32

DEV_WECHAT_TOKEN = "lianxin-dev-token"
DEV_APP_ID = "wx0000000000000000"
DEV_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars; development only


def _default_database_url() -> str:
    data_dir = Path(os.environ.get("LIANXIN_DATA_DIR", "var")).resolve()
    return f"sqlite:///{data_dir / 'lianxin.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    secret_key: str = DEV_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = DEFAULT_TIMEZONE
    policy_file: str | None = None
    default_policy: str = "national_2022"
    digest_hour: int = 8
    quiet_start: int = 21
    quiet_end: int = 8
    festival_lead_days: int = 3
    max_body_bytes: int = 64 * 1024
    redis_url: str | None = None
    log_level: str = "INFO"
    # Local files of this machine: the SQLite database by default, the outage spool.
    data_dir: str = "var"
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

    @property
    def is_production(self) -> bool:
        """Served to the world: an https base URL, or a real official account's AppID."""
        return self.base_url.startswith("https://") or self.wechat_app_id != DEV_APP_ID


MIN_DATA_KEY_LENGTH = 32


def data_key_problem(settings: Settings) -> str | None:
    """Why this deployment must not start with its data key (one line), or None.

    A deployment (https base URL or a real AppID) needs its own LIANXIN_DATA_KEY of at least
    32 characters; `make run` (development defaults, http on loopback) starts with the default.
    """
    if not settings.is_production:
        return None
    if settings.data_key == DEV_DATA_KEY or len(settings.data_key) < MIN_DATA_KEY_LENGTH:
        return (f"LIANXIN_DATA_KEY 必须设置为至少 {MIN_DATA_KEY_LENGTH} 个字符的随机密钥"
                "（不能用开发默认值）")
    return None


def development_secrets(settings: Settings) -> list[str]:
    """What keeps `settings` from running a real deployment, one Chinese line each (naming the
    variable); empty when nothing does. Development defaults are public: anyone could sign a
    dashboard session, a due-list link or a WeChat request with them."""
    weak_key = settings.secret_key == DEV_SECRET_KEY or len(settings.secret_key) < MIN_SECRET_KEY_CHARS
    if not settings.is_production:
        return []
    problems = []
    if weak_key:
        problems.append(f"LIANXIN_SECRET_KEY 是开发默认值或不足 {MIN_SECRET_KEY_CHARS} 个字符，"
                        "请设为随机长字符串后再启动。")
    if settings.wechat_token == DEV_WECHAT_TOKEN:
        problems.append("WECHAT_TOKEN 是开发默认值，请设为公众号后台“服务器配置”中的令牌后再启动。")
    data_key = data_key_problem(settings)
    if data_key:
        problems.append(data_key)
    return problems


def development_warning(settings: Settings) -> str | None:
    """For `make run`: a reminder that the development defaults are in use (never refused)."""
    if settings.secret_key == DEV_SECRET_KEY or settings.wechat_token == DEV_WECHAT_TOKEN:
        return "注意：正在使用开发默认密钥（LIANXIN_SECRET_KEY、WECHAT_TOKEN），只适合本机试用。"
    return None


_ENV_NAMES = {
    f.name: ("WECHAT_" + f.name.removeprefix("wechat_").upper())
    if f.name.startswith("wechat_")
    else ("LIANXIN_" + f.name.upper())
    for f in fields(Settings)
}


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
