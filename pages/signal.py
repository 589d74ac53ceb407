import numpy as np
import streamlit as st

import shinbo
from pages import state
from shinbo import bearings, io, plots, signals, spectral

state.init()
st.title("Signal")
st.caption("Load a recording, simulate a bearing fault, or generate the paper's synthetic matrices.")

tab_up, tab_sim, tab_syn = st.tabs(["Upload a recording", "Simulate a bearing fault", "Synthetic matrices (paper)"])

with tab_up:
    limit_mb = io.DEFAULT_MAX_BYTES / 2**20
    up = st.file_uploader(f"WAV, FLAC, OGG, AIFF, MAT (CWRU recognised), CSV/TXT or NPY, up to {limit_mb:.0f} MB",
                          type=[e.lstrip(".") for e in io.FORMATS], key="upload")
    if up is not None:
        data = up.getvalue()
        try:
            found = io.probe(data, up.name)
        except shinbo.ShinboError as exc:
            found = None
            state.show_error(exc)
        if found is not None:
            c1, c2, c3 = st.columns(3)
            ch = c1.selectbox(f"Channel ({len(found.channels)} in the file)", found.channels, key="up_channel")
            fs_in = c2.number_input("Sampling rate (Hz)" + ("" if found.fs else ": the file does not say, please give it"),
                                    min_value=0.0, value=float(found.fs or 0.0), step=1000.0, key=f"up_fs_{up.name}")
            rpm_in = c3.number_input("Shaft speed (rpm), 0 = unknown", min_value=0.0, value=float(found.rpm or 0.0),
                                     step=10.0, key=f"up_rpm_{up.name}")
            for note in found.notes:
                st.caption(note)
            if st.button("Use this recording", type="primary", key="up_use"):
                try:
                    sig = io.load_signal(data, up.name, channel=ch, fs=fs_in or None)
                    state.set_signal(state.recording_record(sig.samples, sig.fs, f"{sig.source} [{sig.channel}]",
                                                            rpm=rpm_in or sig.rpm, notes=sig.notes))
                    st.success(f"Loaded {sig.samples.size} samples at {sig.fs:g} Hz ({sig.duration:.2f} s).")
                except shinbo.ShinboError as exc:
                    state.show_error(exc)

with tab_sim:
    d = signals.simulate_bearing.__kwdefaults__
    with st.form("simulate"):
        c1, c2, c3 = st.columns(3)
        fs = c1.select_slider("Sampling rate (Hz)", [12000.0, 25600.0, 48000.0, 51200.0], value=d["fs"])
        duration = c1.slider("Duration (s)", 0.5, 10.0, d["duration"], 0.5)
        rpm = c1.slider("Shaft speed (rpm)", 300.0, 6000.0, d["rpm"], 1.0)
        fault_hz = c2.slider("Fault frequency (Hz)", 10.0, 400.0, d["fault_hz"], 0.1)
        slip = c2.slider("Slip (relative jitter)", 0.0, 0.05, d["slip"], 0.005)
        resonance = c2.slider("Resonance (Hz)", 1000.0, 20000.0, d["resonance_hz"], 100.0)
        damping = c2.slider("Damping ratio", 0.01, 0.2, d["damping"], 0.01)
        snr = c3.slider("SNR (dB, fault vs noise)", -20.0, 10.0, d["snr_db"], 0.5)
        shaft = c3.slider("Shaft harmonics amplitude", 0.0, 5.0, d["shaft_amplitude"], 0.1)
        color = c3.slider("Noise colour (0 white … 1 low-pass)", 0.0, 1.0, d["noise_color"], 0.1)
        imp = c3.slider("Impulsive noise (× fault peak, 0 = off)", 0.0, 10.0, d["impulsive_noise"], 0.5)
        seed = c3.number_input("Seed", 0, 10_000, 0)
        go_sim = st.form_submit_button("Simulate", type="primary")
    if go_sim:
        try:
            sim = signals.simulate_bearing(fs=fs, duration=duration, rpm=rpm, fault_hz=fault_hz, slip=slip,
                                           resonance_hz=min(resonance, 0.45 * fs), damping=damping, snr_db=snr,
                                           shaft_amplitude=shaft, noise_color=color, impulsive_noise=imp, seed=int(seed))
            state.set_signal(state.recording_record(sim.x, sim.fs, f"simulated fault at {fault_hz:g} Hz, SNR {snr:g} dB",
                                                    rpm=sim.rpm, fault_hz=sim.fault_hz,
                                                    fault_name=f"simulated fault ({fault_hz:g} Hz)", soi=sim.soi,
                                                    params=sim.params))
        except shinbo.ShinboError as exc:
            state.show_error(exc)

with tab_syn:
    with st.form("synthetic"):
        c1, c2, c3 = st.columns(3)
        m = c1.number_input("m (rows)", 5, 2000, 100)
        n = c1.number_input("n (columns)", 5, 5000, 70)
        r = c2.number_input("r (rank)", 1, 20, 3)
        wz = c2.slider("Zeros in W", 0.0, 0.9, 0.1, 0.05)
        hz = c3.slider("Zeros in H", 0.0, 0.95, 0.7, 0.05)
        eps = c3.select_slider("Noise ε", [0.0, 0.01, 0.05, 0.1], value=0.0)
        sseed = c1.number_input("Seed", 0, 10_000, 0, key="syn_seed")
        go_syn = st.form_submit_button("Generate", type="primary")
    if go_syn:
        try:
            data = shinbo.synthetic_nmf(int(m), int(n), int(r), w_zeros=wz, h_zeros=hz, noise=eps, seed=int(sseed))
            state.set_signal(state.matrix_record(data, dict(m=int(m), n=int(n), r=int(r), w_zeros=wz, h_zeros=hz,
                                                            noise=eps, seed=int(sseed))))
            state.set_rank(int(r))  # fit with the true rank unless the user changes it
        except shinbo.ShinboError as exc:
            state.show_error(exc)

st.divider()
rec = state.signal()
if rec is None:
    st.info("Nothing loaded yet. Use a tab above, or:")
    if st.button("Load the demo signal", key="sig_demo"):
        state.load_demo()
        st.rerun()
    st.stop()

st.subheader(rec["name"])
if rec["kind"] == "matrix":
    X = rec["X"]
    st.caption(f"X is {X.shape[0]} × {X.shape[1]}; the true W and H are kept for SIR.")
    c1, c2 = st.columns(2)
    c1.plotly_chart(plots.spectrogram_heatmap(X, np.arange(X.shape[0]), np.arange(X.shape[1]), title="X (dB)"),
                    key="syn_x")
    c2.plotly_chart(plots.h_rows(rec["H_true"], np.arange(X.shape[1]), title="True rows of H"), key="syn_h")
    st.stop()

for note in rec.get("notes", []):
    st.caption(note)
x, fs = rec["x"], rec["fs"]
st.caption(f"{x.size} samples at {fs:g} Hz = {x.size / fs:.2f} s" + (f" · {rec['rpm']:g} rpm" if rec.get("rpm") else ""))

with st.expander("STFT parameters", expanded=False):
    c1, c2, c3 = st.columns(3)
    nfft = c1.selectbox("Window length = nfft (samples)", [128, 256, 512, 1024, 2048],
                        index=[128, 256, 512, 1024, 2048].index(rec.get("nfft", 512)))
    hop = c2.selectbox("Hop (samples)", [32, 64, 128, 256, 512], index=[32, 64, 128, 256, 512].index(rec.get("hop", 128)))
    window = c3.selectbox("Window", list(spectral.WINDOWS), index=list(spectral.WINDOWS).index(rec.get("window", "hann")))
    if hop > nfft:
        st.error(f"The hop ({hop}) must not exceed the window length ({nfft}); keeping hop = {rec.get('hop', 128)}.")
        hop = rec.get("hop", 128)
    rec.update(nfft=nfft, hop=hop, window=window)

with st.expander("Fault frequency (bearing kinematics)", expanded=rec.get("fault_hz") is None):
    c1, c2, c3 = st.columns(3)
    rpm_in = c1.number_input("Shaft speed (rpm)", 0.0, 100000.0, float(rec.get("rpm") or 0.0), 1.0)
    preset = c2.selectbox("Bearing", list(bearings.PRESETS) + ["custom geometry"],
                          format_func=lambda k: bearings.PRESETS[k].name if k in bearings.PRESETS else k)
    which = c3.selectbox("Fault to look for", ["keep current", "BPFO (outer race)", "BPFI (inner race)",
                                                "2·BSF (ball)", "FTF (cage)", "a frequency in Hz", "none (kurtosis rule)"])
    geom = preset
    if preset == "custom geometry":
        g1, g2, g3, g4 = st.columns(4)
        try:
            geom = bearings.BearingGeometry(int(g1.number_input("Elements", 1, 100, 9)),
                                            g2.number_input("Element diameter", 0.001, 100.0, 0.3126),
                                            g3.number_input("Pitch diameter", 0.002, 1000.0, 1.537),
                                            g4.number_input("Contact angle (°)", 0.0, 89.0, 0.0))
        except shinbo.ShinboError as exc:
            state.show_error(exc)
            geom = "cwru-de"
    custom_hz = st.number_input("Fault frequency (Hz)", 0.0, 10000.0, float(rec.get("fault_hz") or 100.0), 0.1) \
        if which == "a frequency in Hz" else None
    if st.button("Apply", key="fault_apply"):
        try:
            key = {"BPFO (outer race)": "bpfo", "BPFI (inner race)": "bpfi", "2·BSF (ball)": "2bsf",
                   "FTF (cage)": "ftf"}.get(which)
            if key:
                rec["fault_hz"] = bearings.resolve_fault(key, rpm_in or None, geom)
                rec["fault_name"] = key.upper()
            elif which == "a frequency in Hz":
                rec["fault_hz"] = bearings.resolve_fault(custom_hz)
                rec["fault_name"] = f"{custom_hz:g} Hz"
            elif which.startswith("none"):
                rec["fault_hz"], rec["fault_name"] = None, None
            rec["rpm"] = rpm_in or None
            rec["bearing"] = geom  # a preset name or the custom BearingGeometry: the markers use the same one
        except shinbo.ShinboError as exc:
            state.show_error(exc)
    if rec.get("fault_hz"):
        st.write(f"Fault frequency: **{rec['fault_name']} = {rec['fault_hz']:.2f} Hz**")
    else:
        st.write("No fault frequency: components will be ranked by envelope kurtosis.")

try:
    S = state.cached_spectrogram(x, fs, rec["nfft"], rec["hop"], rec["window"])
except shinbo.ShinboError as exc:
    state.show_error(exc)
    st.stop()

st.plotly_chart(plots.waveform(x, fs, overlay=rec.get("soi")), key="wave")
st.plotly_chart(plots.spectrogram_heatmap(S.X, S.freqs, S.times,
                                          title=f"Power spectrogram (dB) · nfft {S.nfft}, hop {S.hop}, {S.window} · "
                                                f"{S.X.shape[0]} × {S.X.shape[1]}"), key="spec")
env = state.cached_envelope(x, fs)
fault = rec.get("fault_hz")
raw_envsi = shinbo.analysis.envsi(env, fault) if fault else None
st.plotly_chart(plots.envelope_spectrum(env.freqs, env.amplitude, fault_hz=fault, envsi=raw_envsi,
                                        title="Raw signal: squared-envelope spectrum", markers=state.fault_markers(rec)),
                key="env")
if raw_envsi is not None:
    st.caption(f"ENVSI of the raw signal at {fault:.2f} Hz: {raw_envsi:.3f} (3 harmonics, ±2 % windows)")
st.audio(x / max(np.abs(x).max(), 1e-12), sample_rate=int(round(fs)))
