"""A small client for the parts of WeChat's API we push with.

Not wechatpy's `WeChatClient`: in 1.8.18 it fetches the token from a hard-coded host with
`/cgi-bin/token` (which invalidates other processes' tokens) and no timeout, and its auto-retry
recurses without limit on a persistent 40001. Turning all of that off leaves little of it, so this
is plain `requests` with WeChat's documented paths, one timeout for every call, the token from a
shared store, and exactly one refresh-and-retry when WeChat rejects the token.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from bot.wechat.errors import WeChatAPIError, WeChatTransportError
from bot.wechat.token_store import TokenStore

log = logging.getLogger(__name__)

# WeChat shows at most 20 characters of a template keyword value and no line breaks (since 2023).
TEMPLATE_VALUE_MAX = 20
SCENE_STR_MAX = 64
# WeChat serves a forced stable_token refresh at most every 30 s (and 20 times a day): a token this
# client fetched by force less than this long ago is not force-refreshed again when rejected.
FORCED_REFRESH_SPACING = 30.0
# requests puts the URL in its error messages; the secret and the token must not reach the logs.
_CREDENTIAL_IN_URL = re.compile(r"(secret|access_token)=[^&\s'\"]+")


def template_value(value: object) -> str:
    """A keyword value as WeChat will show it: one line, at most 20 characters."""
    return " ".join(str(value).split())[:TEMPLATE_VALUE_MAX]


class WeChatClient:
    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        token_store: TokenStore,
        timeout: float = 5.0,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self._app_secret = app_secret
        self._tokens = token_store
        self._timeout = timeout
        self._http = session or requests.Session()
        # The token this client last force-refreshed, and when (monotonic clock).
        self._forced: tuple[str, float] | None = None
        self._forced_lock = threading.Lock()

    def access_token(self) -> str:
        """The shared token, fetched (by one process) when missing or about to expire."""
        token = self._tokens.current()
        if token:
            return token
        return self._tokens.refresh(lambda: self._fetch_token(force_refresh=False))

    def send_template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, str],
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> dict:
        """Send a template message; values are cut to one line of 20 characters here, deliberately.

        `client_msg_id` lets WeChat drop a repeat of the same message for ~10 minutes.
        """
        body: dict[str, object] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": template_value(value)} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        return self._call("/cgi-bin/message/template/send", body)

    def send_text(self, openid: str, content: str) -> dict:
        """A customer-service text message (only within 48 h of the person's last message)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        return self._call("/cgi-bin/message/custom/send", body)

    def create_permanent_qrcode(self, scene: str) -> dict:
        """A permanent parametric QR code for `scene`; returns WeChat's `ticket` and `url`."""
        if not 1 <= len(scene) <= SCENE_STR_MAX:
            raise ValueError(f"scene must be 1..{SCENE_STR_MAX} characters")
        body = {
            "action_name": "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}},
        }
        answer = self._call("/cgi-bin/qrcode/create", body)
        return {"ticket": answer["ticket"], "url": answer["url"]}

    def _call(self, path: str, body: dict) -> dict:
        token = self.access_token()
        try:
            return self._post(path, body, token)
        except WeChatAPIError as exc:
            if not exc.token_invalid:
                raise
            rejected = exc
        token = self._refreshed(token, rejected)
        return self._post(path, body, token)

    def _refreshed(self, rejected: str, error: WeChatAPIError) -> str:
        """The token to retry with after WeChat rejected `rejected`.

        One forced refresh serves every call rejected meanwhile (a batch of pushes): when the
        rejected token is the one this client force-fetched moments ago, only a plain fetch is
        made (it returns WeChat's current token, if another process changed it) and, when that
        is the same token, the call fails and is retried later instead.
        """
        with self._forced_lock:
            recent = (self._forced is not None and self._forced[0] == rejected
                      and time.monotonic() - self._forced[1] < FORCED_REFRESH_SPACING)
            if recent:
                token = self._tokens.refresh(lambda: self._fetch_token(force_refresh=False),
                                             rejected=rejected)
                if token == rejected:
                    raise error
                return token
            log.info("WeChat rejected the access token (%s); refreshing once", error.errcode)
            token = self._tokens.refresh(lambda: self._fetch_token(force_refresh=True),
                                         rejected=rejected)
            self._forced = (token, time.monotonic())
            return token

    def _fetch_token(self, force_refresh: bool) -> tuple[str, int]:
        # stable_token, not /cgi-bin/token: it returns the same token while it is valid, so a
        # fetch here does not cut off a token another process is still using.
        credentials = {
            "grant_type": "client_credential",
            "appid": self.app_id,
            "secret": self._app_secret,
        }
        try:
            answer = self._post(
                "/cgi-bin/stable_token", {**credentials, "force_refresh": force_refresh}
            )
        except WeChatTransportError as exc:
            # WeChat has served stable_token since 2023; a stand-in server that only knows the
            # classic endpoint (some test fakes, old gateways) still gets a token this way.
            if exc.status != 404:
                raise
            answer = self._get("/cgi-bin/token", credentials)
        try:
            return str(answer["access_token"]), int(answer["expires_in"])
        except (KeyError, TypeError, ValueError) as exc:
            raise WeChatTransportError(f"token answer without a token: {answer!r}") from exc

    def _get(self, path: str, params: dict[str, str]) -> dict:
        return self._send("GET", path, params=params)

    def _post(self, path: str, body: dict, token: str | None = None) -> dict:
        # WeChat wants UTF-8 JSON; \u escapes would show up literally in messages.
        return self._send(
            "POST",
            path,
            params={"access_token": token} if token else None,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> dict:
        """One HTTP call with the timeout; the JSON answer, its `errcode` checked."""
        try:
            response = self._http.request(
                method, self.base_url + path, timeout=self._timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            detail = _CREDENTIAL_IN_URL.sub(r"\1=***", str(exc))
            raise WeChatTransportError(f"{path}: {exc.__class__.__name__}: {detail}",
                                       maybe_delivered=not _never_sent(exc)) from exc
        if response.status_code != 200:
            raise WeChatTransportError(f"{path}: HTTP {response.status_code}", response.status_code)
        try:
            answer = json.loads(response.content.decode("utf-8"))
        except ValueError as exc:
            raise WeChatTransportError(f"{path}: answer is not JSON", 200) from exc
        if not isinstance(answer, dict):
            raise WeChatTransportError(f"{path}: answer is not a JSON object", 200)
        try:
            errcode = int(answer.get("errcode") or 0)
        except (TypeError, ValueError) as exc:
            raise WeChatTransportError(f"{path}: errcode is not a number", 200) from exc
        if errcode:
            raise WeChatAPIError(errcode, str(answer.get("errmsg", "")))
        return answer


def _never_sent(exc: requests.RequestException) -> bool:
    """The request never reached the server: the connection was refused or not made in time."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)
