"""The console's own words, Indonesian first, and the language a console request is shown in."""
from __future__ import annotations

from flask import g, session

from ragem.i18n import DEFAULT_LANGUAGE, LANGUAGES

TEXTS: dict[str, dict[str, str]] = {
    "console": {"id": "Konsol RAGEM", "en": "RAGEM console"},
    "login": {"id": "Masuk", "en": "Log in"},
    "logout": {"id": "Keluar", "en": "Log out"},
    "identifier": {"id": "Nomor HP, NIK atau email", "en": "Phone number, NIK or email"},
    "password": {"id": "Kata sandi", "en": "Password"},
    "citizen_use_app": {"id": "Konsol ini hanya untuk petugas dan admin. Warga silakan menggunakan aplikasi RAGEM.",
                        "en": "This console is for officers and admins only. Citizens, please use the RAGEM app."},
    "session_ended": {"id": "Sesi Anda berakhir. Silakan masuk kembali.", "en": "Your session ended. Please log in again."},
    "logged_out": {"id": "Anda sudah keluar.", "en": "You are logged out."},
    "forbidden_page": {"id": "Anda tidak berhak membuka halaman ini.", "en": "You are not allowed to open this page."},
    "csrf_refused": {"id": "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
                     "en": "The form expired or is not valid. Reload the page and try again."},
    "services": {"id": "Layanan", "en": "Services"},
    "service": {"id": "Layanan", "en": "Service"},
    "state": {"id": "Status", "en": "State"},
    "on": {"id": "Aktif", "en": "On"},
    "off": {"id": "Nonaktif", "en": "Off"},
    "reason": {"id": "Alasan", "en": "Reason"},
    "messages": {"id": "Pesan untuk warga (pilihan)", "en": "Message to citizens (optional)"},
    "message_id": {"id": "Pesan untuk warga (Indonesia)", "en": "Message to citizens (Indonesian)"},
    "message_en": {"id": "Pesan untuk warga (Inggris)", "en": "Message to citizens (English)"},
    "switch_on": {"id": "Aktifkan", "en": "Switch on"},
    "switch_off": {"id": "Nonaktifkan", "en": "Switch off"},
    "critical": {"id": "Kritis", "en": "Critical"},
    "confirm_label": {"id": "Saya paham ini layanan kritis", "en": "I understand this is a critical service"},
    "confirm_critical": {"id": "Layanan kritis: centang konfirmasi untuk menonaktifkannya.",
                         "en": "Critical service: tick the confirmation to switch it off."},
    "reason_required": {"id": "Tuliskan alasannya (3 sampai 500 karakter); pesan paling banyak 2000 karakter.",
                        "en": "Write the reason (3 to 500 characters); messages take at most 2000 characters."},
    "service_switched": {"id": "Status layanan sudah diubah.", "en": "The service's state was changed."},
    "failing_plugins": {"id": "Plugin yang gagal dimuat", "en": "Plugins that failed to start"},
    "none": {"id": "Tidak ada.", "en": "None."},
    "last_change": {"id": "Perubahan terakhir", "en": "Last change"},
    "service_off": {"id": "Layanan ini sedang dinonaktifkan, jadi halamannya tidak dapat dibuka sekarang.",
                    "en": "This service is switched off, so its page cannot be opened now."},
    "bad_form": {"id": "Isi formulir tidak valid.", "en": "The form's content is not valid."},
    "not_found": {"id": "Halaman tidak ditemukan.", "en": "Page not found."},
    "too_many": {"id": "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
                 "en": "Too many attempts. Wait a moment, then try again."},
    "page_failed": {"id": "Halaman ini sedang bermasalah. Coba lagi nanti; kesalahannya sudah dicatat untuk tim teknis.",
                    "en": "This page is failing. Try again later; the error was logged for the technical team."},
    "language": {"id": "Bahasa", "en": "Language"},
    "sso_clients": {"id": "Sistem OPD yang memakai Masuk dengan RAGEM", "en": "OPD systems using Sign in with RAGEM"},
    "sso_register": {"id": "Daftarkan sistem", "en": "Register a system"},
    "sso_name": {"id": "Nama sistem", "en": "System name"},
    "sso_opd": {"id": "OPD pemilik (kode)", "en": "Owning OPD (code)"},
    "sso_redirects": {"id": "Redirect URI (satu per baris)", "en": "Redirect URIs (one per line)"},
    "sso_logout_redirects": {"id": "URI setelah keluar (satu per baris, pilihan)",
                             "en": "Post-logout URIs (one per line, optional)"},
    "sso_public": {"id": "Klien publik (tanpa secret, PKCE saja)", "en": "Public client (no secret, PKCE only)"},
    "sso_scopes": {"id": "Data yang boleh diminta", "en": "Data it may ask for"},
    "sso_nik": {"id": "Berhak meminta NIK", "en": "Entitled to the NIK"},
    "sso_secret_once": {"id": "Secret sistem ini (hanya ditampilkan sekali, simpan sekarang):",
                        "en": "This system's secret (shown once only, keep it now):"},
    "sso_registered": {"id": "Sistem sudah didaftarkan.", "en": "The system was registered."},
    "sso_removed": {"id": "Sistem sudah dihapus; semua tokennya berakhir.", "en": "The system was removed; all its tokens ended."},
    "sso_remove": {"id": "Hapus", "en": "Remove"},
    "sso_invalid": {"id": "Data sistem tidak valid: {problems}", "en": "The system's data is not valid: {problems}"},
}


def console_language() -> str:
    """The language chosen in the session, else the account's, else Indonesian."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    account = g.get("console_account")
    if account is not None and account.preferred_language in LANGUAGES:
        return account.preferred_language
    return DEFAULT_LANGUAGE
