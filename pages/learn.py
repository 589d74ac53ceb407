import streamlit as st

import shinbo
from pages import state
from shinbo import experiments, plots

state.init()
st.title("Learn: how SHINBO tunes λ")

st.markdown("**The bi-level problem.** The outer problem chooses one penalty per row of H; the inner problem is "
            "penalized IS-NMF, approximated by T multiplicative steps:")
st.latex(r"\min_{\lambda\in[0,\lambda_{max}]^r} R(\lambda)=\frac{1}{mn}D_{IS}\big(X\mid W H_T(\lambda)\big),\qquad "
         r"H_T(\lambda)\approx\arg\min_{H\ge0} D_{IS}(X\mid WH)+\sum_l \lambda_l \lVert h_l\rVert_1")
st.markdown("**The row update** (row l, the other rows fixed, V = C + w_l h_lᵀ), elementwise over columns j:")
st.latex(r"P_j=\sum_i w_{il}X_{ij}V_{ij}^{-2},\quad Q_j=\sum_i w_{il}V_{ij}^{-1}+\lambda_l,\quad "
         r"h_{lj}\leftarrow \Phi_j = h_{lj}\left(\frac{P_j}{Q_j}\right)^{\gamma}")
st.markdown("**The sensitivity recurrence** (forward mode; the Jacobian is diagonal, so s is just a vector):")
st.latex(r"s_t=A_t\odot s_{t-1}+b_t,\quad A_j=u_j^{\gamma}+\gamma\,\Phi_j\Big(\frac{P'_j}{P_j}-\frac{Q'_j}{Q_j}\Big),\quad "
         r"b_j=-\gamma\,\frac{\Phi_j}{Q_j},\quad u=P/Q")
st.latex(r"P'_j=-2\sum_i w_{il}^2X_{ij}V_{ij}^{-3},\qquad Q'_j=-\sum_i w_{il}^2V_{ij}^{-2}")
st.markdown("**The hypergradient and the λ step:**")
st.latex(r"\frac{\partial R}{\partial\lambda_l}=\Big\langle \frac{\partial R}{\partial h_T},\,s_T\Big\rangle,\qquad "
         r"\lambda_l\leftarrow \mathrm{clip}\Big(\lambda_l-\alpha\frac{\partial R}{\partial\lambda_l},0,\lambda_{max}\Big)")

st.divider()
st.subheader("A live toy problem")
c1, c2, c3, c4, c5 = st.columns(5)
seed = c1.number_input("problem seed", 0, 1000, 0, key="lt_seed")
row = c2.number_input("row l", 0, 2, 0, key="lt_row")
lam = c3.slider("λ_l", 0.0, 2.0, 0.3, 0.01, key="lt_lam")
T = c4.slider("T", 1, 16, 4, key="lt_T")
gamma = c5.selectbox("γ", [1.0, 0.5], key="lt_gamma")

X, W, H = experiments.toy_problem(int(seed))
hs, ss = shinbo.inner_row_trajectory(X, W, H, int(row), lam, T, gamma)
_, _, grad = shinbo.row_hypergradient(X, W, H, int(row), lam, T, gamma)
fd = shinbo.finite_difference_hypergradient(X, W, H, int(row), lam, T, gamma)
st.plotly_chart(plots.row_trajectory(hs, ss), key="lt_traj")
m1, m2, m3 = st.columns(3)
m1.metric("forward-mode ∂R/∂λ", f"{grad:.6e}")
m2.metric("finite difference", f"{fd:.6e}")
rel = abs(grad - fd) / max(abs(fd), 1e-300)
m3.metric("relative difference", f"{rel:.1e}")
st.caption("The toy is a 40 × 30 synthetic matrix (r = 3, ε = 0.05), normalized to mean 1, initialized by NNDSVDa. "
           "Near λ = 0 the difference is one-sided, since λ cannot go below 0. A positive hypergradient means the "
           "penalty is hurting the reconstruction, so the λ step lowers it.")
