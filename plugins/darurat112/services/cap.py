"""Public alerts as OASIS CAP 1.2 XML: one ``<alert>`` document per message, and an Atom index of the
current ones (CAP allows a single alert per document, so the list is a feed of links, as alert hubs
publish them).

Built with ``xml.etree.ElementTree``: every piece of user text is an element's text, escaped by the
library, never pasted into markup. The tests validate every document against the OASIS schema.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from ragem import toolkit

from plugins.darurat112.models import Alert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
#: The ``<valueName>`` of every ``<geocode>``: the values are Kemendagri region codes (36.73.01.1001).
GEOCODE_VALUE_NAME = "KEMENDAGRI_KODE_WILAYAH"
#: The two ``<info>`` blocks of every alert, Indonesian first.
LANGUAGES = (("id", "id-ID"), ("en", "en-US"))
#: When the issuing officer has no OPD (an admin), the alert speaks for the 112 service.
DEFAULT_SENDER_NAME = {"id": "Serang Siaga 112, Pemerintah Kota Serang", "en": "Serang Siaga 112, Serang City Government"}
_LEVEL_WORDS = {"kecamatan": {"id": "Kecamatan {}", "en": "{} District"},
                "kelurahan": {"id": "Kelurahan {}", "en": "{} Village"}}


def cap_time(moment: datetime) -> str:
    """A stored UTC time in CAP's form: seconds, and UTC written ``-00:00`` (CAP forbids ``Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def reference(alert: Alert) -> str:
    """``sender,identifier,sent``: how a later message names ``alert`` in ``<references>``."""
    return f"{alert.sender},{alert.identifier},{cap_time(alert.sent)}"


def references(alert: Alert) -> list[str]:
    """Every earlier message ``alert`` replaces, oldest first (a reader who missed one still links them)."""
    chain = []
    earlier = alert.references
    while earlier is not None:
        chain.append(reference(earlier))
        earlier = earlier.references
    return list(reversed(chain))


def area_description(alert: Alert, lang: str) -> str:
    """The area in words, from the core's region names: ``Kecamatan Serang, Kelurahan Cipare``."""
    names = []
    for level, codes in (("kecamatan", alert.kecamatan_codes), ("kelurahan", alert.kelurahan_codes)):
        for code in codes:
            region = toolkit.region(code)
            names.append(_LEVEL_WORDS[level][lang].format(region.name if region is not None else code))
    return ", ".join(names)


def sender_name(alert: Alert, lang: str) -> str:
    """The issuing OPD's name (``BPBD Kota Serang``), or the 112 service's."""
    opd = toolkit.opd(alert.issuer_opd) if alert.issuer_opd else None
    if opd is None:
        return DEFAULT_SENDER_NAME[lang]
    return opd.name_id if lang == "id" else opd.name_en


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    """Append ``<tag>text</tag>`` in the CAP namespace."""
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def alert_element(alert: Alert) -> ET.Element:
    """The ``<alert>`` element of one message, its elements in the order the schema requires."""
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(alert.sent))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    if alert.note:
        _sub(root, "note", alert.note)
    earlier = references(alert)
    if earlier:
        _sub(root, "references", " ".join(earlier))
    for lang, language in LANGUAGES:
        info = _sub(root, "info")
        _sub(info, "language", language)
        _sub(info, "category", alert.category)
        _sub(info, "event", alert.event)
        _sub(info, "urgency", alert.urgency)
        _sub(info, "severity", alert.severity)
        _sub(info, "certainty", alert.certainty)
        _sub(info, "effective", cap_time(alert.effective))
        _sub(info, "expires", cap_time(alert.expires))
        _sub(info, "senderName", sender_name(alert, lang))
        _sub(info, "headline", getattr(alert, f"headline_{lang}"))
        _sub(info, "description", getattr(alert, f"description_{lang}"))
        instruction = getattr(alert, f"instruction_{lang}")
        if instruction:
            _sub(info, "instruction", instruction)
        _sub(info, "contact", "112")
        area = _sub(info, "area")
        _sub(area, "areaDesc", area_description(alert, lang))
        if alert.polygon:
            _sub(area, "polygon", alert.polygon)
        if alert.circle:
            _sub(area, "circle", alert.circle)
        for code in [*alert.kecamatan_codes, *alert.kelurahan_codes]:
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", GEOCODE_VALUE_NAME)
            _sub(geocode, "value", code)
    return root


def alert_document(alert: Alert) -> bytes:
    """One message as a CAP 1.2 document (UTF-8, with the XML declaration)."""
    return ET.tostring(alert_element(alert), encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS)


def atom_index(alerts: list[Alert], *, feed_url: str, cap_url) -> bytes:
    """An Atom feed of ``alerts``: one entry per message, linking its CAP document (``cap_url(alert)``).

    The Atom namespace is declared on the root and the names left unqualified: ElementTree cannot
    write a default namespace for a tree whose attributes (``rel``, ``href``) carry none."""
    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, tag, attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    sub(feed, "id", feed_url)
    sub(feed, "title", "Serang Siaga 112: peringatan dini / public alerts")
    newest = max((alert.sent for alert in alerts), default=None)
    sub(feed, "updated", toolkit.isoformat_z(newest or toolkit.utcnow()))
    sub(feed, "link", rel="self", href=feed_url, type=ATOM_MEDIA_TYPE)
    author = sub(feed, "author")
    sub(author, "name", alerts[0].sender if alerts else "Serang Siaga 112")
    for alert in alerts:
        entry = sub(feed, "entry")
        sub(entry, "id", cap_url(alert))  # an IRI, stable: the message never changes
        sub(entry, "title", alert.headline_id)
        sub(entry, "updated", toolkit.isoformat_z(alert.sent))
        sub(entry, "summary", alert.headline_en)
        sub(entry, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=cap_url(alert))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
