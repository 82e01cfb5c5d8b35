"""Tables of the demo datasets (``services/demo.py`` loads them), copied from the project's reference data.

- ``internet_access_banten_2018_2020.csv``: percentage of the population aged 5+ who accessed the
  internet, by kabupaten/kota of Banten, 2018-2020. Source: BPS Provinsi Banten (as tabled in the
  study of Kota Serang's smart-city strategy).
- ``population_area_banten_2025.csv``: population by sex (Dukcapil figures published with the 2025
  kode wilayah) and land area in km2 for the kabupaten/kota of Banten. Sources: Kepmendagri
  No. 300.2.2-2138 Tahun 2025; Badan Informasi Geospasial, letter B-16.10/DIGD-BIG/IGD.04.04/12/2024.
"""
