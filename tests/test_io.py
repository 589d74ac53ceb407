"""Loading signals: every format, CWRU metadata, and every kind of bad input."""

import io as pyio

import numpy as np
import pytest
import soundfile as sf
from scipy.io import savemat

from shinbo import SignalLoadError
from shinbo.io import load_signal, probe, probe_channels

FS = 8000.0
SIG = np.sin(2 * np.pi * 440 * np.arange(8000) / FS) + 0.1 * np.random.default_rng(0).standard_normal(8000)


def _wav(channels=1, fmt="WAV", subtype="FLOAT"):
    buf = pyio.BytesIO()
    data = np.stack([SIG * (k + 1) for k in range(channels)], axis=1) if channels > 1 else SIG
    sf.write(buf, data, int(FS), format=fmt, subtype=subtype)
    return buf.getvalue()


@pytest.mark.parametrize("ext, fmt, subtype", [("wav", "WAV", "FLOAT"), ("flac", "FLAC", "PCM_24"),
                                               ("ogg", "OGG", "VORBIS"), ("aiff", "AIFF", "PCM_16")])
def test_audio_formats(ext, fmt, subtype):
    sig = load_signal(_wav(1, fmt, subtype), f"rec.{ext}")
    assert sig.fs == FS and sig.samples.dtype == np.float64 and sig.samples.shape == (8000,)
    tol = 0.05 if ext == "ogg" else 1e-3
    assert np.corrcoef(sig.samples, SIG)[0, 1] > 1 - tol


def test_multichannel_audio_picks_and_reports_channels(tmp_path):
    data = _wav(3)
    sig = load_signal(data, "three.wav")
    assert sig.channels == ["channel 0", "channel 1", "channel 2"] and sig.channel == "channel 0"
    assert any("3 channel(s)" in n for n in sig.notes)
    sig2 = load_signal(data, "three.wav", channel=2)
    np.testing.assert_allclose(sig2.samples, 3 * SIG, rtol=1e-6, atol=1e-6)
    with pytest.raises(SignalLoadError, match=r"channel 5 is not in three.wav; it has 3: channel 0, channel 1, channel 2"):
        load_signal(data, "three.wav", channel=5)
    p = tmp_path / "three.wav"
    p.write_bytes(data)
    assert probe_channels(p) == sig.channels
    found = probe(p)
    assert found.fs == FS and found.rpm is None


def test_probe_of_a_file_without_a_sampling_rate():
    buf = pyio.BytesIO()
    np.save(buf, SIG)
    found = probe(buf.getvalue(), "x.npy")
    assert found.fs is None and found.channels == ["channel 0"]
    with pytest.raises(SignalLoadError, match="unknown format"):
        probe(b"abc", "x.doc")


def test_cwru_style_mat_gets_channels_rpm_and_fs_from_the_name(tmp_path):
    p = tmp_path / "999_OR_0_48k_DE.mat"
    savemat(p, {"X999_DE_time": SIG[:, None], "X999_FE_time": 2 * SIG[:, None], "X999_BA_time": 3 * SIG[:, None],
                "X999RPM": np.array([[1750.0]])})
    sig = load_signal(p)
    assert sig.channel == "X999_DE_time" and sig.channels == ["X999_DE_time", "X999_FE_time", "X999_BA_time"]
    assert sig.rpm == 1750.0 and sig.fs == 48000.0
    assert any("48 kHz from the file name" in n for n in sig.notes)
    fe = load_signal(p, channel="FE", fs=12000)
    np.testing.assert_allclose(fe.samples, 2 * SIG)
    assert fe.fs == 12000.0 and any("given by the caller" in n for n in fe.notes)


def test_generic_mat_variables_and_fs_variable(tmp_path):
    p = tmp_path / "logger.mat"
    savemat(p, {"accel": SIG, "temp": SIG[:100] * 0 + 20.0 + np.arange(100), "fs": 8000.0, "label": "pump"})
    sig = load_signal(p, channel="accel")
    assert sig.fs == 8000.0 and "accel" in sig.channels and "temp" in sig.channels
    assert any("variable 'fs'" in n for n in sig.notes)


def test_mat_without_a_sampling_rate_is_refused(tmp_path):
    p = tmp_path / "unknown.mat"
    savemat(p, {"X1_DE_time": SIG[:, None]})
    with pytest.raises(SignalLoadError, match="sampling rate of unknown.mat is not known"):
        load_signal(p)


def test_csv_with_header_and_time_column():
    t = np.arange(8000) / FS
    text = "time,accel,other\n" + "\n".join(f"{a},{b},{c}" for a, b, c in zip(t, SIG, -SIG))
    sig = load_signal(text.encode(), "log.csv", channel="other")
    assert sig.channels == ["accel", "other"]
    assert abs(sig.fs - FS) < 1e-6 * FS
    np.testing.assert_allclose(sig.samples, -SIG, rtol=1e-12)


def test_headerless_whitespace_txt_needs_fs():
    text = "\n".join(f"{v:.10f}" for v in SIG)
    with pytest.raises(SignalLoadError, match="sampling rate of x.txt is not known"):
        load_signal(text.encode(), "x.txt")
    sig = load_signal(text.encode(), "x.txt", fs=FS)
    assert sig.samples.size == 8000 and sig.channel == "column 0"


def test_npy_with_and_without_pickle():
    buf = pyio.BytesIO()
    np.save(buf, np.stack([SIG, 2 * SIG], axis=1))
    sig = load_signal(buf.getvalue(), "a.npy", fs=FS, channel=1)
    np.testing.assert_allclose(sig.samples, 2 * SIG)
    buf = pyio.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(SignalLoadError, match="object arrays are refused|allow_pickle"):
        load_signal(buf.getvalue(), "evil.npy", fs=FS)


def _npy(a):
    buf = pyio.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


@pytest.mark.parametrize("data, name, kwargs, pattern", [
    (_wav()[: len(_wav()) // 3][:60], "cut.wav", {}, r"could not read cut.wav as audio"),
    (b"RIFF0000WAVEjunkjunk", "junk.wav", {}, r"could not read junk.wav as audio"),
    (b"MATLAB 5.0 MAT-file" + b"\0" * 40, "cut.mat", {}, r"could not read cut.mat as a MATLAB file"),
    (b"hello", "notes.docx", {}, r"unknown format '.docx'"),
    (b"hello", "noext", {}, r"unknown format '\(no extension\)'"),
    (b"a,b\nx,y\nz,w\n", "text.csv", {"fs": 100}, r"non-numeric data"),
    (b"", "empty.csv", {}, r"empty.csv is empty"),
    (_npy(np.where(np.arange(8000) == 1234, np.nan, SIG)), "nan.npy", {"fs": FS}, r"first at sample 1234"),
    (_npy(np.where(np.arange(8000) == 77, np.inf, SIG)), "inf.npy", {"fs": FS}, r"non-finite samples .* sample 77"),
    (_npy(np.full(8000, 0.5)), "const.npy", {"fs": FS}, r"constant \(0.5\)"),
    (_npy(np.zeros(8000)), "zero.npy", {"fs": FS}, r"all zero"),
    (_npy(SIG[:500]), "short.npy", {"fs": FS}, r"has 500 samples; at least 896 are needed"),
    (_npy(SIG), "nofs.npy", {}, r"does not store it; give fs"),
    (_npy(SIG), "neg.npy", {"fs": -5}, r"fs must be > 0 Hz; got -5"),
    (_npy(SIG), "zero_fs.npy", {"fs": 0}, r"fs must be > 0 Hz; got 0"),
    (_npy(np.array(["a", "b"])), "str.npy", {"fs": FS}, r"holds no numeric array"),
    (_npy(np.ones((3, 3, 3))), "cube.npy", {"fs": FS}, r"3-D array"),
    (_wav(), "big.wav", {"max_bytes": 1000}, r"MB; the limit is"),
])
def test_bad_files_get_a_clear_signal_load_error(data, name, kwargs, pattern):
    with pytest.raises(SignalLoadError, match=pattern):
        load_signal(data, name, **kwargs)


def test_missing_file_and_bytes_without_a_name(tmp_path):
    with pytest.raises(SignalLoadError, match="no such file"):
        load_signal(tmp_path / "nope.wav")
    with pytest.raises(SignalLoadError, match="a file name is needed"):
        load_signal(b"1234")
    with pytest.raises(SignalLoadError, match="not a file"):
        load_signal(tmp_path)


def test_mat_with_no_numeric_vector(tmp_path):
    p = tmp_path / "strings.mat"
    savemat(p, {"name": "pump", "fs": 1000.0})
    with pytest.raises(SignalLoadError, match="no numeric 1-D variable"):
        load_signal(p)


def test_size_limit_is_checked_before_reading(tmp_path):
    p = tmp_path / "big.npy"
    np.save(p, SIG)
    with pytest.raises(SignalLoadError, match=r"big.npy is 0.0612 MB; the limit is 0.00954 MB"):
        load_signal(p, fs=FS, max_bytes=10_000)
