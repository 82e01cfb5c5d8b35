"""The words of the sign-in and consent pages, Indonesian first, and the language they use."""
from __future__ import annotations

from flask import session

from ragem.i18n import LANGUAGES, language

TEXTS: dict[str, dict[str, str]] = {
    "title": {"id": "Masuk dengan RAGEM", "en": "Sign in with RAGEM"},
    "login_intro": {"id": "Masuk dengan akun RAGEM Anda untuk melanjutkan ke {system}.",
                    "en": "Sign in with your RAGEM account to continue to {system}."},
    "login": {"id": "Masuk", "en": "Sign in"},
    "identifier": {"id": "Nomor HP, NIK atau email", "en": "Phone number, NIK or email"},
    "password": {"id": "Kata sandi", "en": "Password"},
    "consent_title": {"id": "Izinkan akses data?", "en": "Allow access to your data?"},
    "consent_intro": {"id": "{system} milik {opd} meminta izin untuk membaca data berikut dari akun RAGEM Anda:",
                      "en": "{system} of {opd} asks to read the following from your RAGEM account:"},
    "consent_note": {"id": "Setiap pemberian data dicatat dan dapat Anda lihat di riwayat akses aplikasi RAGEM. "
                           "Izin ini dapat Anda cabut kapan saja di menu Aplikasi Terhubung.",
                     "en": "Every release is recorded and shown in the RAGEM app's access history. "
                           "You can withdraw this permission at any time under Connected apps."},
    "signed_in_as": {"id": "Masuk sebagai {name}.", "en": "Signed in as {name}."},
    "allow": {"id": "Izinkan", "en": "Allow"},
    "deny": {"id": "Tolak", "en": "Deny"},
    "logout_title": {"id": "Keluar dari RAGEM?", "en": "Sign out of RAGEM?"},
    "logout_confirm": {"id": "Keluar", "en": "Sign out"},
    "logged_out": {"id": "Anda sudah keluar dari RAGEM.", "en": "You are signed out of RAGEM."},
    "bad_request": {"id": "Permintaan masuk ini tidak valid: {reason}", "en": "This sign-in request is not valid: {reason}"},
    "csrf_refused": {"id": "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
                     "en": "The form expired or is not valid. Reload the page and try again."},
    "too_many": {"id": "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
                 "en": "Too many attempts. Wait a moment, then try again."},
    "not_found": {"id": "Halaman tidak ditemukan.", "en": "Page not found."},
    "language": {"id": "Bahasa", "en": "Language"},
}


def page_language() -> str:
    """The language chosen on the page (kept in the cookie), else Accept-Language, else Indonesian."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else language()


def t(key_or_text, **values) -> str:
    """A text of this page in the page's language, with ``{placeholders}`` filled."""
    text = TEXTS.get(key_or_text, key_or_text) if isinstance(key_or_text, str) else key_or_text
    chosen = text if isinstance(text, str) else (text.get(page_language()) or text.get("id") or "")
    return chosen.format(**values) if values else chosen
