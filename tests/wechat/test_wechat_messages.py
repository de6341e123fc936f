"""Message parsing on WeChat-documented XML shapes, cross-checked against wechatpy's parser."""

from __future__ import annotations

import pytest
import xmltodict
from hypothesis import given
from hypothesis import strategies as st
from wechatpy import parse_message

from bot.wechat.errors import InvalidRequest
from bot.wechat.messages import (
    MAX_BODY_BYTES,
    MAX_REPLY_BYTES,
    empty_reply,
    fit_reply,
    parse_inbound,
    render_text_reply,
)

TEXT = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[this is a test]]></Content>
  <MsgId>1234567890123456</MsgId>
</xml>"""

VOICE = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1357290913</CreateTime>
  <MsgType><![CDATA[voice]]></MsgType>
  <MediaId><![CDATA[media_id]]></MediaId>
  <Format><![CDATA[Format]]></Format>
  <Recognition><![CDATA[{recognition}]]></Recognition>
  <MsgId>1234567890123456</MsgId>
</xml>"""

SUBSCRIBE_QR = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[subscribe]]></Event>
  <EventKey><![CDATA[qrscene_person:42]]></EventKey>
  <Ticket><![CDATA[TICKET]]></Ticket>
</xml>"""

SCAN = SUBSCRIBE_QR.replace("subscribe", "SCAN").replace("qrscene_", "")

UNSUBSCRIBE = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[unsubscribe]]></Event>
</xml>"""

LOCATION = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1351776360</CreateTime>
  <MsgType><![CDATA[location]]></MsgType>
  <Location_X>23.134521</Location_X>
  <Location_Y>113.358803</Location_Y>
  <Scale>20</Scale>
  <Label><![CDATA[位置信息]]></Label>
  <MsgId>1234567890123456</MsgId>
</xml>"""

LINK = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1351776360</CreateTime>
  <MsgType><![CDATA[link]]></MsgType>
  <Title><![CDATA[公众平台官网链接]]></Title>
  <Description><![CDATA[公众平台官网链接]]></Description>
  <Url><![CDATA[url]]></Url>
  <MsgId>1234567890123456</MsgId>
</xml>"""

IMAGE = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[image]]></MsgType>
  <PicUrl><![CDATA[this is a url]]></PicUrl>
  <MediaId><![CDATA[media_id]]></MediaId>
  <MsgId>1234567890123456</MsgId>
</xml>"""

LOCATION_EVENT = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[LOCATION]]></Event>
  <Latitude>23.137466</Latitude>
  <Longitude>113.352425</Longitude>
  <Precision>119.385040</Precision>
</xml>"""

TEMPLATE_FINISHED = """<xml>
  <ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>
  <FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName>
  <CreateTime>1395658920</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>
  <MsgID>200163836</MsgID>
  <Status><![CDATA[success]]></Status>
</xml>"""


def test_text():
    m = parse_inbound(TEXT.encode())
    assert (m.to_user, m.from_user, m.create_time) == ("toUser", "fromUser", 1348831860)
    assert (m.msg_type, m.msg_id, m.content) == ("text", "1234567890123456", "this is a test")
    assert m.dedupe_key == "msg:1234567890123456"
    assert not m.is_event


def test_voice_with_and_without_recognition():
    m = parse_inbound(VOICE.format(recognition="张三 电话 正常"))
    assert (m.msg_type, m.recognition, m.media_id) == ("voice", "张三 电话 正常", "media_id")
    assert parse_inbound(VOICE.format(recognition="")).recognition == ""
    no_element = VOICE.replace("<Recognition><![CDATA[{recognition}]]></Recognition>", "")
    assert parse_inbound(no_element).recognition == ""


def test_subscribe_through_qr_code_strips_the_prefix_like_scan():
    sub, scan = parse_inbound(SUBSCRIBE_QR), parse_inbound(SCAN)
    assert (sub.event, sub.event_key, sub.ticket) == ("subscribe", "person:42", "TICKET")
    assert (scan.event, scan.event_key) == ("scan", "person:42")
    assert sub.dedupe_key == "evt:FromUser:123456789:subscribe:person:42"
    assert sub.dedupe_key != scan.dedupe_key


def test_unsubscribe_and_plain_subscribe_have_empty_keys():
    m = parse_inbound(UNSUBSCRIBE)
    assert (m.event, m.event_key, m.msg_id) == ("unsubscribe", "", None)
    assert m.dedupe_key == "evt:FromUser:123456789:unsubscribe:"
    empty_key = UNSUBSCRIBE.replace("unsubscribe", "subscribe").replace(
        "</Event>", "</Event><EventKey><![CDATA[]]></EventKey>"
    )
    assert parse_inbound(empty_key).event_key == ""


def test_event_with_msg_id_still_dedupes_as_an_event():
    m = parse_inbound(TEMPLATE_FINISHED)
    assert (m.event, m.msg_id) == ("templatesendjobfinish", "200163836")
    assert m.dedupe_key.startswith("evt:oia2TjuEGTNoeX76QEjQNrcURxG8:1395658920:")


def test_location_link_image():
    loc = parse_inbound(LOCATION)
    assert (loc.location_x, loc.location_y, loc.scale, loc.label) == (
        23.134521,
        113.358803,
        20,
        "位置信息",
    )
    link = parse_inbound(LINK)
    assert (link.title, link.url) == ("公众平台官网链接", "url")
    img = parse_inbound(IMAGE)
    assert (img.pic_url, img.media_id) == ("this is a url", "media_id")
    ev = parse_inbound(LOCATION_EVENT)
    assert (ev.event, ev.latitude, ev.longitude) == ("location", 23.137466, 113.352425)


@pytest.mark.parametrize(
    "xml", [TEXT, VOICE.format(recognition="好"), SUBSCRIBE_QR, SCAN, LOCATION, LINK, IMAGE]
)
def test_agrees_with_wechatpy(xml):
    ours, theirs = parse_inbound(xml), parse_message(xml)
    assert (ours.from_user, ours.to_user) == (theirs.source, theirs.target)
    assert ours.create_time == int(theirs.time)
    assert ours.msg_type == theirs.type
    if ours.is_event:
        assert ours.event == theirs.event.replace("subscribe_scan", "subscribe")
        assert ours.event_key == theirs.scene_id
    else:
        assert ours.msg_id == str(theirs.id)


@pytest.mark.parametrize(
    "xml",
    [
        TEXT.replace("<ToUserName><![CDATA[toUser]]></ToUserName>", ""),
        TEXT.replace("fromUser", ""),
        TEXT.replace("<MsgType><![CDATA[text]]></MsgType>", ""),
        TEXT.replace("1348831860", "yesterday"),
        TEXT.replace("</xml>", ""),
        TEXT.replace("xml>", "root>"),
        TEXT.replace("<Content>", "<Content>a</Content><Content>"),
        TEXT.replace("<FromUserName>", "<FromUserName><a>b</a>").replace(
            "</FromUserName>", "</FromUserName>"
        ),
        "",
        "   ",
        "<xml>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x "boom">]><xml><ToUserName>&x;</ToUserName></xml>',
        '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<xml><Content>&b;</Content></xml>",
        '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
        "<!DOCTYPE xml><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
        "<MsgType>text</MsgType></xml>",
    ],
    ids=[
        "no-to",
        "empty-from",
        "no-type",
        "bad-time",
        "unclosed",
        "wrong-root",
        "repeated",
        "nested",
        "empty",
        "blank",
        "truncated",
        "entity",
        "billion-laughs",
        "xxe",
        "bare-doctype",
    ],
)
def test_malformed_or_hostile_bodies_raise_invalid_request(xml):
    with pytest.raises(InvalidRequest):
        parse_inbound(xml)


def test_oversized_body():
    padding = "好" * (MAX_BODY_BYTES // 3 + 1)
    with pytest.raises(InvalidRequest):
        parse_inbound(TEXT.replace("this is a test", padding))
    near = "a" * (MAX_BODY_BYTES - len(TEXT) - 100)
    assert parse_inbound(TEXT.replace("this is a test", near)).content == near


@pytest.mark.parametrize(
    "content",
    ["收到：张三 入户 正常", "a]]>b", "]]>", "x]]]]>y", "<b>&amp;</b>", "多行\n第二行", ""],
)
def test_text_reply_round_trips_through_a_real_xml_parser(content):
    xml = render_text_reply("o_user", "gh_account", content, 1714036504)
    fields = xmltodict.parse(xml)["xml"]
    assert fields["ToUserName"] == "o_user"
    assert fields["FromUserName"] == "gh_account"
    assert fields["CreateTime"] == "1714036504"
    assert fields["MsgType"] == "text"
    assert (fields["Content"] or "") == content


def _xml_char(c: str) -> bool:
    """XML 1.0's Char production (surrogates are excluded by the strategy)."""
    return c in "\t\n\r" or "\x20" <= c <= "\ufffd" or c >= "\U00010000"


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300))
def test_any_reply_text_survives_rendering_and_parsing(content):
    parsed = parse_inbound(render_text_reply("o_user", "gh", content, 1)).content
    expected = "".join(c for c in content if _xml_char(c))
    # XML reads \r\n and a lone \r back as \n; xmltodict strips surrounding whitespace.
    assert parsed == expected.replace("\r\n", "\n").replace("\r", "\n").strip()


def test_reply_drops_characters_xml_cannot_carry():
    xml = render_text_reply("o", "gh", "a\x00b\x1bc", 1)
    assert xmltodict.parse(xml)["xml"]["Content"] == "abc"


def test_long_reply_is_cut_to_what_wechat_accepts():
    content = "张三：本季度已入户。" * 300
    reply = xmltodict.parse(render_text_reply("o", "gh", content, 1))["xml"]["Content"]
    assert len(reply.encode("utf-8")) <= MAX_REPLY_BYTES
    assert reply.endswith("…") and content.startswith(reply[:-1])
    assert fit_reply("短") == "短"


def test_long_event_keys_still_fit_the_dedupe_column():
    key = "k" * 128
    xml = UNSUBSCRIBE.replace("unsubscribe", "CLICK").replace(
        "</Event>", f"</Event><EventKey>{key}</EventKey>"
    )
    m = parse_inbound(xml)
    assert m.event_key == key
    assert len(m.dedupe_key) <= 160 and m.dedupe_key.startswith("evt:")
    assert m.dedupe_key != parse_inbound(xml.replace("123456789", "123456790")).dedupe_key


def test_empty_reply():
    assert empty_reply() == "success"
