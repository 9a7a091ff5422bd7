#!/usr/bin/env python3
"""Check, with exact integer arithmetic, that the G2 subgroup tests of src/crypto/g2.c and
src/crypto/pairing.c are exact on BN254. Sections 1-5, g2.c: for Q in E'(Fp2),

    Q in G2  <=>  [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q)

(Dai, Lin, Zhao, Zhou, "Fast subgroup membership testings for G1, G2 and GT on
pairing-friendly curves", eprint 2022/348, the BN case of their Theorem 1: for a polynomial f
with f(p) = 0 mod r, reduce f(psi) modulo psi^2 - t psi + p to b0 + b1 psi; the test
f(psi)(Q) == O is exact if gcd(b0^2 + b0 b1 t + b1^2 p, #E'(Fp2)) == r).

Section 6, pairing.c (tacit_miller_loop_g2check_var): the Miller loop of the optimal ate
pairing ends at T = [6u+2]Q + psi(Q) - psi^2(Q), and

    Q in G2  <=>  T == -psi^3(Q),  i.e.  ((6u+2) + psi - psi^2 + psi^3)(Q) == O,

by the same criterion (the membership-testing framework of El Housni, Guillevic, Piellard,
"Co-factor clearing and subgroup membership testing on pairing-friendly curves",
AFRICACRYPT 2022, with Dai et al.'s gcd condition), and no step of that loop is exceptional
(T = O, or T = +-Q when adding Q) on any nonzero point of E'(Fp2).

    python3 contrib/check-g2-subgroup-test.py

Prints each quantity and exits with status 1 if a check fails. Standard library only.
"""
import sys
from math import gcd, isqrt

U = 4965661367192848881
P = 36*U**4 + 36*U**3 + 24*U**2 + 6*U + 1
R = 36*U**4 + 36*U**3 + 18*U**2 + 6*U + 1
T = 6*U**2 + 1          # trace of Frobenius of E(Fp): #E(Fp) = p + 1 - t = r
H = 2*P - R             # the G2 cofactor: #E'(Fp2) = r h
# h = 10069 * 5864401 * 1875725156269 * L (factored once with sympy.factorint; checked below)
H_FACTORS = [10069, 5864401, 1875725156269,
             197620364512881247228717050342013327560683201906968909]

failed = False


def check(what, ok):
    global failed
    print("%-66s %s" % (what, "ok" if ok else "FAILED"))
    failed |= not ok


def is_probable_prime(n):
    """Miller-Rabin with the first 20 primes as bases (deterministic far beyond 2^64;
    for the 177-bit factor an error probability below 4^-20)."""
    small = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71]
    if n < 2:
        return False
    for q in small:
        if n % q == 0:
            return n == q
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in small:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def isqrt_exact(n):
    s = isqrt(n)
    return s if s * s == n else None


# ---- 1. the group: E'(Fp2) has order r h, with r prime, r coprime to h, h squarefree.
check("p, r prime", is_probable_prime(P) and is_probable_prime(R))
check("#E(Fp) = p + 1 - t = r", P + 1 - T == R)
# E has j = 0; over Fq, q = p^2, its trace is t2 = t^2 - 2p and 4q - t2^2 = 3 f^2. The six
# twists of E over Fq have traces +-t2, +-(t2 + 3f)/2, +-(t2 - 3f)/2; r h must be one of them.
q = P * P
t2 = T * T - 2 * P
f = isqrt_exact((4 * q - t2 * t2) // 3)
check("4 p^2 - t2^2 = 3 f^2", f is not None and 3 * f * f == 4 * q - t2 * t2)
twist_orders = {q + 1 - s * tr for s in (1, -1) for tr in (t2, (t2 + 3 * f) // 2, (t2 - 3 * f) // 2)}
check("r h (h = 2p - r) is the order of a sextic twist over Fp2", R * H in twist_orders)
prod = 1
for l in H_FACTORS:
    prod *= l
check("h = 10069 * 5864401 * 1875725156269 * L, all prime", prod == H and
      all(is_probable_prime(l) for l in H_FACTORS))
check("gcd(r, h) = 1 (so E'(Fp2) = G2 (+) H, H the order-h part)", gcd(R, H) == 1)

# ---- 2. psi on E'(Fp2) satisfies psi^2 - t psi + p = 0 (tests/test_curve.c checks it on
# random twist points). On the cyclic group G2 it is multiplication by a root of
# x^2 - t x + p mod r, and that root is p mod r = 6u^2 (the old test psi(Q) == [6u^2]Q).
LAM = P % R
check("lambda = p mod r = 6u^2 is a root of x^2 - t x + p mod r",
      LAM == 6 * U * U and (LAM * LAM - T * LAM + P) % R == 0)

# ---- 3. f(x) = (u+1) + u x + u x^2 - 2u x^3 reduced mod x^2 - t x + p to a + b x.
c = [U + 1, U, U, -2 * U]
while len(c) > 2:
    lead = c.pop()                 # lead x^(d+2) = lead x^d (t x - p)
    d = len(c) - 2
    c[d + 1] += lead * T
    c[d] -= lead * P
A, B = c
print("a = %d\nb = %d" % (A, B))
check("f(lambda) = a + b lambda = 0 mod r (G2 is in the kernel)", (A + B * LAM) % R == 0)

# ---- 4. nothing else is in the kernel. With g = (a + b t) - b psi,
#   g f = a^2 + a b t + b^2 (t psi - psi^2) = a^2 + a b t + b^2 p =: N,
# so f(Q_h) = O for Q_h in H gives [N]Q_h = O, and [h]Q_h = O: gcd(N, h) = 1 forces Q_h = O.
N = A * A + A * B * T + B * B * P
check("N = a^2 + a b t + b^2 p = 0 mod r", N % R == 0)
check("gcd(N, h) = 1, i.e. gcd(N, r h) = r (Dai et al., Theorem 1)", gcd(N, H) == 1)
# The same, prime by prime: E'(Fp2) is cyclic (r h squarefree), so psi acts on the order-l
# part as a root of x^2 - t x + p mod l, and f as a + b root, which must be nonzero.
for l in H_FACTORS:
    if l < 10**7:
        roots = [x for x in range(l) if (x * x - T * x + P) % l == 0]
        check("l = %d: psi ~ %s, f ~ %s mod l" % (l, roots, [(A + B * x) % l for x in roots]),
              len(roots) > 0 and all((A + B * x) % l != 0 for x in roots))
    else:
        check("l = %d: N != 0 mod l" % l if l < 10**20 else "l = L: N != 0 mod l", N % l != 0)


# The test is not exact for every BN seed: the resultant in u of N(u)/r(u) and h(u) is
# 2^16 3^20 21961 (sympy), h(u) is never even nor divisible by 3, and 21961 divides both
# exactly when u = 5422 mod 21961. So the gcd above is a property of this u, not of BN curves.
def norm_and_cofactor(u):
    p, t = 36*u**4 + 36*u**3 + 24*u**2 + 6*u + 1, 6*u**2 + 1
    cc = [u + 1, u, u, -2 * u]
    while len(cc) > 2:
        lead = cc.pop()
        cc[len(cc) - 1] += lead * t
        cc[len(cc) - 2] -= lead * p
    a, b = cc
    return a * a + a * b * t + b * b * p, 2 * p - (36*u**4 + 36*u**3 + 18*u**2 + 6*u + 1)


check("u mod 21961 = %d != 5422; for u = 5422 the gcd is 21961" % (U % 21961),
      U % 21961 != 5422 and gcd(*norm_and_cofactor(5422)) == 21961 and
      norm_and_cofactor(U) == (N, H))

# ---- 5. cost: the NAF of u.
def naf_digits(n):
    """The NAF of n > 0, least significant digit first."""
    digits = []
    while n > 0:
        if n & 1:
            d = 2 - (n % 4)
            digits.append(d)
            n -= d
        else:
            digits.append(0)
        n //= 2
    return digits


naf = naf_digits(U)
print("NAF(u): %d digits, %d nonzero: %d doublings and %d mixed additions for [u]Q"
      % (len(naf), sum(1 for d in naf if d), len(naf) - 1, sum(1 for d in naf if d) - 1))


# ---- 6. the test read off the Miller loop's end point (src/crypto/pairing.c).
def reduce_mod_charpoly(coeffs):
    """coeffs[i] is the coefficient of psi^i; returns (a, b) with f(psi) = a + b psi."""
    cc = list(coeffs)
    while len(cc) > 2:
        lead = cc.pop()
        d = len(cc) - 2
        cc[d + 1] += lead * T
        cc[d] -= lead * P
    return cc[0], cc[1]


def sqrt_mod(a, l):
    """A square root of a mod the odd prime l (Tonelli-Shanks), or None."""
    a %= l
    if a == 0:
        return 0
    if pow(a, (l - 1) // 2, l) != 1:
        return None
    q, s = l - 1, 0
    while q % 2 == 0:
        q //= 2
        s += 1
    z = 2
    while pow(z, (l - 1) // 2, l) != l - 1:
        z += 1
    m, c, t, x = s, pow(z, q, l), pow(a, q, l), pow(a, (q + 1) // 2, l)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2 = t2 * t2 % l
            i += 1
        b = pow(c, 1 << (m - i - 1), l)
        m, c, t, x = i, b * b % l, t * b * b % l, x * b % l
    return x


def psi_eigenvalues(l):
    """The roots of x^2 - t x + p mod l: psi acts on the order-l part as one of them."""
    disc = sqrt_mod(T * T - 4 * P, l)
    if disc is None:
        return []
    inv2 = pow(2, -1, l)
    return sorted({(T + disc) * inv2 % l, (T - disc) * inv2 % l})


A6 = 6 * U + 2
a6, b6 = reduce_mod_charpoly([A6, 1, -1, 1])
N6 = a6 * a6 + a6 * b6 * T + b6 * b6 * P
print("a6 = %d\nb6 = %d" % (a6, b6))
check("6u+2 + p - p^2 + p^3 = 0 mod r (T == -psi^3(Q) on G2)",
      (A6 + P - P * P + P**3) % R == 0 and (a6 + b6 * LAM) % R == 0)
check("N6 = a6^2 + a6 b6 t + b6^2 p = 0 mod r", N6 % R == 0)
check("gcd(N6, h) = 1: (6u+2) + psi - psi^2 + psi^3 kills only G2", gcd(N6, H) == 1)
roots_ok = True
for l in H_FACTORS:
    mus = psi_eigenvalues(l)
    roots_ok &= len(mus) > 0 and all((A6 + m - m * m + m**3) % l != 0 for m in mus)
check("on each prime-order part l | h, psi ~ mu with 6u+2 + mu - mu^2 + mu^3 != 0", roots_ok)

# No exceptional step. The loop visits partial multiples k of the NAF of 6u+2: T = [k]Q is
# doubled (exceptional if [k]Q = O: no 2-torsion, as r h is odd) and +-Q is added (exceptional
# if [k]Q = +-Q); then psi(Q) and -psi^2(Q) are added to [K]Q, K = 6u+2. E'(Fp2) is cyclic, so
# a point is the sum of its components of prime order l | r h, on which psi acts as mu; a step
# is exceptional for Q only if it is for each nonzero component, so it suffices that it is
# for none, on every prime l (r included, mu = p mod r) and both eigenvalues.
naf6 = naf_digits(A6)[::-1]
steps, k = [], 1
for d in naf6[1:]:
    steps.append(("dbl", k))
    k *= 2
    if d != 0:
        steps.append(("add", k))
        k += d
check("NAF(6u+2) has %d digits (65 doublings, TACIT_PAIRING_LINES = 88 lines)" % len(naf6),
      k == A6 and len(naf6) == 66 and len(steps) + 2 == 88)
check("r h is odd: E'(Fp2) has no point of order 2", (R * H) % 2 == 1)
exceptional = []
for l in [R] + H_FACTORS:
    mus = [LAM] if l == R else psi_eigenvalues(l)
    for kind, kk in steps:
        if kk % l == 0 or (kind == "add" and ((kk - 1) % l == 0 or (kk + 1) % l == 0)):
            exceptional.append((l, kind, kk))
    for m in mus:
        if A6 % l == 0 or (A6 - m) % l == 0 or (A6 + m) % l == 0:
            exceptional.append((l, "+psi", m))
        if (A6 + m) % l == 0 or (A6 + m - m * m) % l == 0 or (A6 + m + m * m) % l == 0:
            exceptional.append((l, "-psi^2", m))
check("no step of the loop is exceptional on any nonzero point", exceptional == [])
for e in exceptional:
    print("  exceptional:", e)

sys.exit(1 if failed else 0)
