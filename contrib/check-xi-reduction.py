#!/usr/bin/env python3
"""Check the quotient estimate of src/crypto/field_impl.h, TACIT__P_MUL9_ASM, with exact
integer arithmetic. For x, y < p (BN254's base field) the kernel forms t = 9x + y or
t = 9x + p - y, takes h = floor(t / 2^250) and q = floor(21 h / 2^8), and relies on

    0 <= t - q p < 2p   for every t in [0, 10p),

which holds when (1) 21 / 2^8 <= 2^250 / p, so q <= t / p, and (2) for every h that occurs,
(h + 1) 2^250 / p - 21 h / 2^8 < 1, so t / p - q < 2. It also checks t < 2^258 (five limbs,
the top one below 4) and that t - q p < 2p < 2^256 (the 256-bit difference is exact).

    python3 contrib/check-xi-reduction.py

Exits with status 1 if a check fails. Standard library only.
"""
from fractions import Fraction
import sys

U = 4965661367192848881
P = 36*U**4 + 36*U**3 + 24*U**2 + 6*U + 1
C, K = 21, 8

ok = True
def check(name, cond):
    global ok
    print(("ok    " if cond else "FAIL  ") + name)
    ok = ok and cond

# 9x + y <= 10p - 10 and 9x + p - y <= 10p - 9: t < 10p
tmax = 10 * P - 1
hmax = tmax >> 250
print("p bits", P.bit_length(), "h max", hmax)
check("t < 2^258", tmax < 2**258)
check("21/2^8 <= 2^250/p", Fraction(C, 2**K) <= Fraction(2**250, P))
worst = max(Fraction((h + 1) * 2**250, P) - Fraction(C * h, 2**K) for h in range(hmax + 1))
print("max over h of (h+1) 2^250/p - 21h/2^8 =", float(worst))
check("t/p - q < 2 for every h <= h max", worst < 1)
check("2p < 2^256", 2 * P < 2**256)
sys.exit(0 if ok else 1)
