"""Where Kota Serang is: the bounding box every service checks a point against."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bounds:
    """A latitude/longitude box (WGS 84 degrees, edges included)."""

    lat: tuple[float, float]
    lon: tuple[float, float]

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the box, edges included."""
        return self.lat[0] <= lat <= self.lat[1] and self.lon[0] <= lon <= self.lon[1]


#: Kota Serang's bounding box, a little generous at the edges: a point outside it is a mistake or
#: another city's matter (a complaint, an emergency). One definition for every service.
KOTA_SERANG_BOUNDS = Bounds(lat=(-6.37, -5.99), lon=(106.07, 106.42))
