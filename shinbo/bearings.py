"""Rolling-bearing kinematics: the characteristic fault frequencies (design note §9).

With shaft frequency ``fr = rpm / 60``, N rolling elements, element diameter d, pitch
diameter D and contact angle φ, and ``ρ = d/D · cos φ``:

* FTF  = fr/2 · (1 − ρ)                 (cage)
* BPFO = N fr/2 · (1 − ρ)               (outer race)
* BPFI = N fr/2 · (1 + ρ)               (inner race)
* BSF  = D fr/(2d) · (1 − ρ²)           (ball spin; a ball fault shows at 2·BSF)

Note: the "BSF" column of the CWRU multipliers (4.7135 drive end, 3.9874 fan end) is
2·BSF in these terms; :func:`fault_frequencies` gives both, as ``bsf`` and ``2bsf``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._validation import check_int, check_real
from .errors import InvalidParameterError

__all__ = ["BearingGeometry", "PRESETS", "fault_frequencies", "ftf", "bpfo", "bpfi", "bsf",
           "resolve_fault", "FAULT_NAMES"]

FAULT_NAMES = ("bpfo", "bpfi", "bsf", "2bsf", "ftf")


@dataclass(frozen=True)
class BearingGeometry:
    """Geometry of a rolling bearing (lengths in any one unit)."""

    n_elements: int
    element_diameter: float
    pitch_diameter: float
    contact_angle_deg: float = 0.0
    name: str = "custom"

    def __post_init__(self):
        check_int(self.n_elements, "n_elements", low=1)
        d = check_real(self.element_diameter, "element_diameter", low=0.0, low_open=True)
        D = check_real(self.pitch_diameter, "pitch_diameter", low=0.0, low_open=True)
        check_real(self.contact_angle_deg, "contact_angle_deg", low=0.0, high=89.9)
        if d >= D:
            raise InvalidParameterError(f"element_diameter ({d:g}) must be smaller than pitch_diameter ({D:g})")

    @property
    def ratio(self) -> float:
        """ρ = d/D · cos φ."""
        return self.element_diameter / self.pitch_diameter * math.cos(math.radians(self.contact_angle_deg))


PRESETS = {
    # CWRU Bearing Data Center: SKF deep-groove ball bearings, inches
    "cwru-de": BearingGeometry(9, 0.3126, 1.537, 0.0, "CWRU drive end, SKF 6205-2RS JEM"),
    "cwru-fe": BearingGeometry(8, 0.2656, 1.122, 0.0, "CWRU fan end, SKF 6203-2RS JEM"),
}


def _geom(geometry) -> BearingGeometry:
    if isinstance(geometry, BearingGeometry):
        return geometry
    if isinstance(geometry, str) and geometry in PRESETS:
        return PRESETS[geometry]
    raise InvalidParameterError(f"bearing must be one of {', '.join(repr(k) for k in PRESETS)} or a "
                                f"BearingGeometry; got {geometry!r}")


def _fr(rpm) -> float:
    return check_real(rpm, "rpm (shaft speed)", low=0.0, low_open=True) / 60.0


def ftf(rpm: float, geometry="cwru-de") -> float:
    """Fundamental train (cage) frequency in Hz."""
    g = _geom(geometry)
    return _fr(rpm) / 2 * (1 - g.ratio)


def bpfo(rpm: float, geometry="cwru-de") -> float:
    """Ball-pass frequency of the outer race in Hz."""
    g = _geom(geometry)
    return g.n_elements * _fr(rpm) / 2 * (1 - g.ratio)


def bpfi(rpm: float, geometry="cwru-de") -> float:
    """Ball-pass frequency of the inner race in Hz."""
    g = _geom(geometry)
    return g.n_elements * _fr(rpm) / 2 * (1 + g.ratio)


def bsf(rpm: float, geometry="cwru-de") -> float:
    """Ball spin frequency in Hz (a ball defect shows at 2·BSF)."""
    g = _geom(geometry)
    return g.pitch_diameter * _fr(rpm) / (2 * g.element_diameter) * (1 - g.ratio ** 2)


def fault_frequencies(rpm: float, geometry="cwru-de") -> dict:
    """All characteristic frequencies in Hz: ``fr``, ``ftf``, ``bpfo``, ``bpfi``, ``bsf``, ``2bsf``.

    Examples
    --------
    >>> f = fault_frequencies(1796, "cwru-de")
    >>> round(f["bpfo"], 1), round(f["bpfi"], 1)
    (107.3, 162.1)
    """
    b = bsf(rpm, geometry)
    return {"fr": _fr(rpm), "ftf": ftf(rpm, geometry), "bpfo": bpfo(rpm, geometry),
            "bpfi": bpfi(rpm, geometry), "bsf": b, "2bsf": 2 * b}


def resolve_fault(fault, rpm=None, geometry="cwru-de") -> float:
    """A fault frequency in Hz from a name (needs ``rpm``) or a number of Hz."""
    if isinstance(fault, str):
        key = fault.strip().lower()
        if key in FAULT_NAMES:
            if rpm is None:
                raise InvalidParameterError(f"fault {fault!r} needs the shaft speed (rpm); give --rpm or a "
                                            "fault frequency in Hz")
            return fault_frequencies(rpm, geometry)[key]
        try:
            fault = float(key)
        except ValueError:
            raise InvalidParameterError(f"fault must be one of {', '.join(FAULT_NAMES)} or a frequency in Hz; "
                                        f"got {fault!r}") from None
    return check_real(fault, "fault frequency (Hz)", low=0.0, low_open=True)
