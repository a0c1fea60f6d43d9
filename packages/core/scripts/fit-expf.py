"""Fits the polynomial of the float32 SIMD exp in assembly/vectorMath.ts.

exp(r) ~= 1 + r + r^2 * P(r) on |r| <= ln2/2, P of degree 4, by least squares on the relative
error, reweighted towards minimax; then evaluates the coefficients rounded to float32, in
float32 as the kernel does (Horner), and prints the worst error in float32 ulp. Needs numpy.

    python3 packages/core/scripts/fit-expf.py
"""
import numpy as np

DEGREE = 4
half_ln2 = np.log(2) / 2
r = np.linspace(-half_ln2, half_ln2, 200_001)
exact = np.exp(r)
basis = np.vstack([r ** (2 + k) for k in range(DEGREE + 1)]).T
weight = np.ones_like(r)
for _ in range(50):
    scale = weight / exact
    coef, *_ = np.linalg.lstsq(basis * scale[:, None], (exact - 1 - r) * scale, rcond=None)
    err = np.abs((1 + r + basis @ coef - exact) / exact)
    weight *= 1 + err / err.max()

high_to_low = [np.float32(c) for c in coef[::-1]]
x = r.astype(np.float32)
p = np.full_like(x, high_to_low[0])
for c in high_to_low[1:]:
    p = (p * x + c).astype(np.float32)
y = (p * (x * x) + x + np.float32(1)).astype(np.float32)
reference = np.exp(x.astype(np.float64))
ulp = np.abs(y - reference) / np.spacing(reference.astype(np.float32)).astype(np.float64)
print("coefficients, highest power first:", [repr(float(c)) for c in high_to_low])
print(f"worst relative error {err.max():.3g}; worst in float32 ulp {ulp.max():.3f}")
