"""The mask over public text: NIK-, phone- and email-shaped strings go, ordinary numbers stay."""
import pytest

from plugins.rabeg.masking import EMAIL_PLACEHOLDER, NIK_PLACEHOLDER, PHONE_PLACEHOLDER, mask_personal_data


@pytest.mark.parametrize("nik", [
    "3673011204900001",
    "3673 0112 0490 0001",
    "3673-0112-0490-0001",
    "3673.0112.0490.0001",
    "36.73.01.120490.0001",
    "36 73 01 120490 0001",
    "367301 120490 0001",
    "367301-120490-0001",
    "3673 - 0112 - 0490 - 0001",
    "3673\u00a00112\u00a00490\u00a00001",
])
def test_nik_shaped_numbers_are_masked(nik):
    text = f"Saya warga Serang, NIK {nik}, KTP saya belum jadi."
    assert mask_personal_data(text) == f"Saya warga Serang, NIK {NIK_PLACEHOLDER}, KTP saya belum jadi."


@pytest.mark.parametrize("text,masked", [
    ("NIK:3673011204900001.", f"NIK:{NIK_PLACEHOLDER}."),
    ("(3673011204900001)", f"({NIK_PLACEHOLDER})"),
    ("nik3673011204900001", f"nik{NIK_PLACEHOLDER}"),
    # A number right after it does not save it from the mask.
    ("NIK 3673011204900001 2 orang", f"NIK {NIK_PLACEHOLDER} 2 orang"),
    ("KK 3673010101900002 dan NIK 3673011204900001", f"KK {NIK_PLACEHOLDER} dan NIK {NIK_PLACEHOLDER}"),
])
def test_nik_next_to_punctuation_or_other_numbers(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("phone", [
    "081234567890",
    "0812-3456-7890",
    "0812 3456 7890",
    "0812.3456.7890",
    "0812 - 3456 - 7890",
    "(0812) 3456 7890",
    "08123456789",
    "0812345678901",
    "0857-1234-567",
    "+6281234567890",
    "+62 812 3456 7890",
    "+62-812-3456-7890",
    "+62 (0) 812 3456 7890",
    "(+62) 812-3456-7890",
    "+62 254 218910",  # a fixed line in Serang, international form
    "6281234567890",
])
def test_indonesian_phone_numbers_are_masked(phone):
    text = f"Mohon hubungi saya di {phone} setelah jam kerja."
    assert mask_personal_data(text) == f"Mohon hubungi saya di {PHONE_PLACEHOLDER} setelah jam kerja."


@pytest.mark.parametrize("text,masked", [
    ("WA:081234567890", f"WA:{PHONE_PLACEHOLDER}"),
    ("wa081234567890", f"wa{PHONE_PLACEHOLDER}"),
    ("https://wa.me/6281234567890 ya", f"https://wa.me/{PHONE_PLACEHOLDER} ya"),
    ("HP 0812-3456-7890/0813-9999-0000", f"HP {PHONE_PLACEHOLDER}/{PHONE_PLACEHOLDER}"),
    ("telp 081234567890, 2 kali", f"telp {PHONE_PLACEHOLDER}, 2 kali"),
])
def test_phone_numbers_in_context(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("email", [
    "warga@example.org",
    "siti.nurhasanah+rabeg@gmail.com",
    "ahmad_fauzan@serangkota.go.id",
    "USER-1@Mail.Co.Id",
    "0812345678@mail.id",  # digits in it do not leave a phone behind
])
def test_email_addresses_are_masked(email):
    assert mask_personal_data(f"Email saya {email}.") == f"Email saya {EMAIL_PLACEHOLDER}."


@pytest.mark.parametrize("text", [
    "Jalan rusak di RT 03/RW 05, Kelurahan Cipare.",
    "RT 003 RW 005 No. 12",
    "Jl. 17 Agustus No. 45, depan gang 3",
    "Sejak tahun 2026, tepatnya 28-11-2026 pukul 08.00-16.00 WIB.",
    "Tanggal 08-12-2026 jam 08:30, dan 08/12/2026.",
    "Harga Rp 1.500.000, Rp 62.850.000.000 anggaran, dan Rp 625.000 per meter.",
    "Anggaran Rp 1.250.000.000 (1,25 miliar) untuk 3 ruas jalan sepanjang 1.200 m.",
    "Kode wilayah 36.73.01.1001 dan kecamatan 36.73.01.",
    "Lubang 30 x 40 cm, kedalaman 15 cm, 2 motor jatuh.",
    "Koordinat -6.1187, 106.1503 di peta.",
    "Nomor tiang PJU 12-14, lampu 60 W, 3 buah.",
    "Nomor rekening 1234567890 (bank daerah)",
    "Nomor pengaduan RBG-2026-000123 belum dijawab.",
    "Kode pos 42111, jam 0800",
    "Nomor rekening 12345678901234567890",  # 20 digits in one piece: not NIK-shaped
])
def test_ordinary_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_several_kinds_in_one_text_and_nothing_in_none_or_empty():
    text = "NIK 3673011204900001, HP 0812-3456-7890, email warga@example.org. Jalan di RT 03/RW 05 rusak."
    assert mask_personal_data(text) == (f"NIK {NIK_PLACEHOLDER}, HP {PHONE_PLACEHOLDER}, email {EMAIL_PLACEHOLDER}."
                                        " Jalan di RT 03/RW 05 rusak.")
    assert mask_personal_data(None) is None
    assert mask_personal_data("") == ""
