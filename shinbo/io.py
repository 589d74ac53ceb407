"""Loading vibration recordings: audio, MATLAB (including the CWRU bearing files), CSV/TXT, NPY.

One entry point, :func:`load_signal`, takes a path, or bytes plus a file name (an upload),
and returns a :class:`Signal`. Every problem with the file raises :class:`SignalLoadError`
(a ``ValueError``) that says what is wrong and what would be accepted.
"""

from __future__ import annotations

import csv
import io as _io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import SignalLoadError
from .spectral import DEFAULT_HOP, DEFAULT_NFFT, min_signal_length

__all__ = ["Signal", "load_signal", "probe", "Probe", "probe_channels", "FORMATS", "DEFAULT_MAX_BYTES", "data_dir"]

AUDIO = (".wav", ".flac", ".ogg", ".aiff", ".aif")
FORMATS = AUDIO + (".mat", ".csv", ".txt", ".npy")
DEFAULT_MAX_BYTES = int(float(os.environ.get("SHINBO_MAX_UPLOAD_MB", "200")) * 1024 * 1024)
_CWRU_VAR = re.compile(r"^X(\d+)_(DE|FE|BA)_time$")
_CWRU_RPM = re.compile(r"^X(\d+)RPM$")
_FS_NAMES = ("fs", "Fs", "FS", "sampling_rate", "samplingrate", "sample_rate", "samplerate", "srate", "sr")
_TIME_NAMES = ("time", "t", "times", "seconds", "sec", "s", "time_s", "time [s]", "time(s)")


@dataclass
class Signal:
    """A 1-D recording ready for analysis.

    Attributes
    ----------
    samples : float64 array (N,)
    fs : float
        Sampling rate in Hz.
    channel : str
        Which channel/variable/column of the file this is.
    rpm : float or None
        Shaft speed, when the file says (CWRU ``X<no>RPM``).
    source : str
        Where it came from (file name).
    channels : list of str
        Every channel the file offers.
    notes : list of str
        How things were decided (e.g. where the sampling rate came from).
    """

    samples: np.ndarray
    fs: float
    channel: str
    rpm: float | None = None
    source: str = ""
    channels: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.samples.size / self.fs


def data_dir() -> Path | None:
    """The folder of real recordings: ``$SHINBO_DATA_DIR`` or ``../shared/data/cwru`` beside the repo."""
    env = os.environ.get("SHINBO_DATA_DIR")
    if env:
        p = Path(env)
        return p if p.is_dir() else None
    here = Path(__file__).resolve().parent.parent
    for cand in (here.parent / "shared" / "data" / "cwru", here / ".." / "shared" / "data" / "cwru"):
        if cand.is_dir():
            return cand.resolve()
    return None


# --------------------------------------------------------------------------------------

def _mb(n: int) -> str:
    return f"{n / 2**20:.3g} MB"


def _read_bytes(source, name, max_bytes) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        if not name:
            raise SignalLoadError("a file name is needed with uploaded bytes, to tell the format "
                                  f"({', '.join(FORMATS)})")
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
        name = name or getattr(source, "name", "")
        if not name:
            raise SignalLoadError("a file name is needed with a file object, to tell the format")
    else:
        path = Path(source)
        name = name or path.name
        if not path.exists():
            raise SignalLoadError(f"no such file: {path}")
        if not path.is_file():
            raise SignalLoadError(f"not a file: {path}")
        size = path.stat().st_size
        if size > max_bytes:
            raise SignalLoadError(f"{path.name} is {_mb(size)}; the limit is {_mb(max_bytes)}")
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise SignalLoadError(f"{name} is {_mb(len(data))}; the limit is {_mb(max_bytes)}")
    if len(data) == 0:
        raise SignalLoadError(f"{name} is empty")
    return data, str(name)


def _ext(name: str) -> str:
    ext = Path(name).suffix.lower()
    if ext not in FORMATS:
        raise SignalLoadError(f"unknown format {ext or '(no extension)'!r} of {name!r}; "
                              f"accepted: {', '.join(FORMATS)}")
    return ext


def _pick(options: list[str], wanted, what: str, name: str) -> int:
    """Index of ``wanted`` (name, case-insensitive suffix, or 0-based index) in ``options``."""
    if wanted is None:
        return 0
    if isinstance(wanted, (int, np.integer)) and not isinstance(wanted, bool):
        if 0 <= int(wanted) < len(options):
            return int(wanted)
    else:
        w = str(wanted).strip()
        for i, o in enumerate(options):
            if o == w or o.lower() == w.lower():
                return i
        for i, o in enumerate(options):  # "DE" matches "X130_DE_time"
            if f"_{w.lower()}_" in f"_{o.lower()}_":
                return i
        if w.isdigit() and 0 <= int(w) < len(options):
            return int(w)
    raise SignalLoadError(f"{what} {wanted!r} is not in {name}; it has {len(options)}: "
                          f"{', '.join(options)} (or an index 0-{len(options) - 1})")


def _fs_from_name(name: str):
    m = re.search(r"(?<![0-9])(12|48)k(?![a-z0-9])", Path(name).stem.lower())
    return (float(m.group(1)) * 1000.0, f"sampling rate {m.group(1)} kHz from the file name") if m else None


def _audio(data, name, channel):
    import soundfile as sf
    try:
        x, fs = sf.read(_io.BytesIO(data), dtype="float64", always_2d=True)
    except Exception as exc:
        raise SignalLoadError(f"could not read {name} as audio ({type(exc).__name__}: {exc}); "
                              "is it truncated or not really audio?") from None
    chans = [f"channel {i}" for i in range(x.shape[1])]
    k = _pick(chans, channel, "channel", name)
    notes = [f"{x.shape[1]} channel(s) in the file; using {chans[k]}", f"sampling rate {fs} Hz from the file header"]
    return x[:, k], float(fs), chans[k], None, chans, notes, None


def _mat(data, name, channel, fs):
    from scipy.io import loadmat
    try:
        d = loadmat(_io.BytesIO(data))
    except Exception as exc:
        raise SignalLoadError(f"could not read {name} as a MATLAB file ({type(exc).__name__}: {exc}); "
                              "is it truncated, or saved as v7.3 (HDF5)? Save it with '-v7'.") from None
    numeric = {k: np.asarray(v) for k, v in d.items()
               if not k.startswith("__") and isinstance(v, np.ndarray) and v.dtype.kind in "fiub"}
    vectors = {k: v.ravel() for k, v in numeric.items() if v.size > 1 and (v.ndim == 1 or min(v.shape) == 1)}
    if not vectors:
        raise SignalLoadError(f"{name} holds no numeric 1-D variable to analyse (variables: "
                              f"{', '.join(k for k in d if not k.startswith('__')) or 'none'})")
    names = sorted(vectors)
    cwru = [k for k in names if _CWRU_VAR.match(k)]
    notes = []
    rpm = None
    if cwru:
        order = {"DE": 0, "FE": 1, "BA": 2}
        names = sorted(cwru, key=lambda k: order[_CWRU_VAR.match(k).group(2)])
        rpm_vars = [k for k in numeric if _CWRU_RPM.match(k)]
        if rpm_vars:
            rpm = float(np.asarray(numeric[rpm_vars[0]]).ravel()[0])
            notes.append(f"CWRU file: shaft speed {rpm:g} rpm from {rpm_vars[0]}")
        else:
            notes.append("CWRU file (no RPM variable)")
    k = _pick(names, channel, "channel", name)
    fs_note = None
    if fs is None:
        got = _fs_from_name(name)
        if got:
            fs, fs_note = got
        else:
            for key in _FS_NAMES:
                if key in numeric and numeric[key].size == 1:
                    fs = float(numeric[key].ravel()[0])
                    fs_note = f"sampling rate from the variable {key!r}"
                    break
    else:
        fs_note = "sampling rate given by the caller"
    if fs is None:
        return (vectors[names[k]], None, names[k], rpm, names, notes,
                f"the sampling rate of {name} is not known: give it (fs, Hz), put 12k/48k in "
                "the file name (CWRU), or store a variable named fs")
    notes.append(fs_note)
    return vectors[names[k]], float(fs), names[k], rpm, names, notes, None


def _csv(data, name, column, fs):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SignalLoadError(f"{name} is not UTF-8 text; a CSV/TXT file of numbers is expected") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise SignalLoadError(f"{name} has no data lines")
    sample = "\n".join(lines[:20])
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",;\t ").delimiter
    except csv.Error:
        delim = "," if "," in lines[0] else None

    def split(ln):
        return [t.strip() for t in (ln.split(delim) if delim and delim != " " else ln.split())]

    def numeric(tokens):
        try:
            [float(t) for t in tokens]
            return True
        except ValueError:
            return False

    first = split(lines[0])
    header = None if numeric(first) else first
    rows = lines[1:] if header else lines
    try:
        table = np.array([[float(t) for t in split(ln)] for ln in rows], dtype=np.float64)
    except ValueError as exc:
        raise SignalLoadError(f"{name} has non-numeric data after the header ({exc})") from None
    if table.ndim != 2 or table.size == 0:
        raise SignalLoadError(f"{name} has no numeric data (or rows of different lengths)")
    ncol = table.shape[1]
    header = header if header and len(header) == ncol else [f"column {i}" for i in range(ncol)]
    notes = []
    time_col = None
    for i, h in enumerate(header):
        if h.strip().lower() in _TIME_NAMES:
            time_col = i
            break
    if time_col is None and ncol > 1:
        d = np.diff(table[:, 0])
        if d.size and np.all(d > 0) and np.allclose(d, d.mean(), rtol=1e-3):
            time_col = 0
    if time_col is not None:
        d = np.diff(table[:, time_col])
        if fs is None and d.size and np.all(d > 0):
            fs = 1.0 / float(np.median(d))
            notes.append(f"sampling rate {fs:g} Hz from the time column {header[time_col]!r}")
    elif fs is not None:
        notes.append("sampling rate given by the caller")
    choices = [h for i, h in enumerate(header) if i != time_col]
    idx = [i for i in range(ncol) if i != time_col]
    if not choices:
        raise SignalLoadError(f"{name} has only a time column and no signal")
    k = _pick(choices, column, "column", name)
    if fs is None:
        return (table[:, idx[k]], None, choices[k], None, choices, notes,
                f"the sampling rate of {name} is not known: give it (fs, Hz) or add a time column")
    return table[:, idx[k]], float(fs), choices[k], None, choices, notes, None


def _npy(data, name, channel, fs):
    try:
        a = np.load(_io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        raise SignalLoadError(f"could not read {name}: {exc} (object arrays are refused)") from None
    except Exception as exc:
        raise SignalLoadError(f"could not read {name} as .npy ({type(exc).__name__}: {exc}); truncated?") from None
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "fiub":
        raise SignalLoadError(f"{name} holds no numeric array (dtype {getattr(a, 'dtype', '?')})")
    if a.ndim == 1:
        cols = [a]
    elif a.ndim == 2:
        cols = list(a.T) if a.shape[0] >= a.shape[1] else list(a)
    else:
        raise SignalLoadError(f"{name} holds a {a.ndim}-D array of shape {a.shape}; a 1-D signal or a 2-D "
                              "array of channels is expected")
    chans = [f"channel {i}" for i in range(len(cols))]
    k = _pick(chans, channel, "channel", name)
    if fs is None:
        return (np.asarray(cols[k]), None, chans[k], None, chans, [],
                f"the sampling rate of {name} is not known: a .npy file does not store it; give fs (Hz)")
    return np.asarray(cols[k]), float(fs), chans[k], None, chans, ["sampling rate given by the caller"], None


def _check_samples(x, name, nfft, hop):
    x = np.asarray(x, dtype=np.float64).ravel()
    bad = ~np.isfinite(x)
    if bad.any():
        i = int(np.argmax(bad))
        raise SignalLoadError(f"{name} has {int(bad.sum())} non-finite samples (NaN/Inf); the first at sample {i}")
    if x.size == 0 or not np.any(x):
        raise SignalLoadError(f"{name}: the signal is all zero")
    if np.all(x == x[0]):
        raise SignalLoadError(f"{name}: the signal is constant ({x[0]:g}); there is nothing to analyse")
    need = min_signal_length(nfft, hop)
    if x.size < need:
        raise SignalLoadError(f"{name}: the signal has {x.size} samples; at least {need} are needed "
                              f"(a few STFT windows of {nfft} samples, hop {hop})")
    return x


def _read(source, name, channel, fs, max_bytes):
    """Read and parse a file: (x, fs or None, channel, rpm, channels, notes, why fs is missing, name)."""
    if fs is not None:
        try:
            fs = float(fs)
        except (TypeError, ValueError):
            raise SignalLoadError(f"the sampling rate fs must be a number of Hz; got {fs!r}") from None
        if not np.isfinite(fs) or fs <= 0:
            raise SignalLoadError(f"the sampling rate fs must be > 0 Hz; got {fs:g}")
    data, name = _read_bytes(source, name, max_bytes)
    ext = _ext(name)
    if ext in AUDIO:
        x, f, ch, rpm, chans, notes, missing = _audio(data, name, channel)
        if fs is not None:
            f, notes = fs, notes[:-1] + ["sampling rate given by the caller"]
    elif ext == ".mat":
        x, f, ch, rpm, chans, notes, missing = _mat(data, name, channel, fs)
    elif ext in (".csv", ".txt"):
        x, f, ch, rpm, chans, notes, missing = _csv(data, name, channel, fs)
    else:
        x, f, ch, rpm, chans, notes, missing = _npy(data, name, channel, fs)
    return x, f, ch, rpm, chans, notes, missing, name


def load_signal(source, name: str | None = None, *, channel=None, fs: float | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, nfft: int = DEFAULT_NFFT, hop: int = DEFAULT_HOP) -> Signal:
    """Load a 1-D vibration signal from a file or uploaded bytes.

    Parameters
    ----------
    source : str, Path, bytes or file-like
        A path, or the bytes of an upload (then ``name`` tells the format).
    name : str, optional
        File name; its extension picks the format: WAV/FLAC/OGG/AIFF (soundfile), MAT
        (scipy; CWRU files recognised), CSV/TXT, NPY (``allow_pickle=False``).
    channel : str or int, optional
        Audio/NPY channel index, MAT variable (``"DE"``, ``"FE"``, ``"BA"`` or a full name)
        or CSV column (header name or index). Default: the first (CWRU: drive end).
    fs : float, optional
        Sampling rate in Hz; overrides what the file or its name says. Needed for NPY
        and for files that do not say.
    max_bytes : int, default 200 MB (``$SHINBO_MAX_UPLOAD_MB``)
        Larger files are refused before they are read.
    nfft, hop : int
        The STFT the signal is meant for; shorter signals are refused.

    Returns
    -------
    Signal

    Examples
    --------
    >>> import numpy as np, io
    >>> buf = io.BytesIO(); np.save(buf, np.sin(np.arange(5000) / 3.0))
    >>> sig = load_signal(buf.getvalue(), "probe.npy", fs=10000.0)
    >>> sig.samples.shape, sig.fs
    ((5000,), 10000.0)
    """
    x, f, ch, rpm, chans, notes, missing_fs, name = _read(source, name, channel, fs, max_bytes)
    if f is None:
        raise SignalLoadError(missing_fs)
    if not np.isfinite(f) or f <= 0:
        raise SignalLoadError(f"the sampling rate of {name} must be > 0 Hz; got {f:g}")
    x = _check_samples(x, name, nfft, hop)
    return Signal(samples=x, fs=float(f), channel=str(ch), rpm=rpm, source=name, channels=list(chans), notes=notes)


@dataclass
class Probe:
    """What a file offers before the user picks: its channels, and the sampling rate and shaft
    speed the file (or its name) gives, ``None`` where it says nothing."""

    channels: list
    fs: float | None
    rpm: float | None
    notes: list


def probe(source, name: str | None = None, *, channel=None, max_bytes: int = DEFAULT_MAX_BYTES) -> Probe:
    """Read a file once to offer its channels and pre-fill the sampling rate and rpm (the app's picker).

    Raises :class:`SignalLoadError` for a file that cannot be read at all; a file that only
    lacks its sampling rate (NPY, a headerless CSV) gives ``fs=None``. The samples themselves
    are checked by :func:`load_signal`, when the user has chosen.
    """
    _, f, _, rpm, chans, notes, _, _ = _read(source, name, channel, None, max_bytes)
    return Probe(list(chans), f, rpm, notes)


def probe_channels(source, name: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """The channels (audio/NPY), variables (MAT) or columns (CSV) a file offers."""
    return probe(source, name, max_bytes=max_bytes).channels
