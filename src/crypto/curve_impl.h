/*
 * Internal to src/crypto: the group law of a short Weierstrass curve y^2 = x^3 + b (a = 0),
 * written once and instantiated for G1 (over Fp) and G2 (over Fp2). No include guard: g1.c
 * and g2.c each include this file once, after defining
 *
 *   CURVE_FN(name)  the name of a generated function (e.g. g1_##name)
 *   JAC, AFF        the Jacobian and affine point types (fields x, y, z / x, y)
 *   FE              the coordinate field type
 *   fe_add fe_sub fe_dbl fe_neg fe_mul fe_sqr fe_is_zero fe_eq
 *                   field operations with the field.h signatures
 *   fe_cmov(r, a, mask)     r = a where mask is all ones (curve.h fp_cmov_mask ...)
 *   fe_zero_mask(a)         all ones iff a == 0
 *   fe_mul_b3(r, a)         r = 3b * a
 *   fe_inv(r, a)            constant-time inverse, 0 -> 0
 *   fe_inv_var(r, a)        variable-time inverse, 0 -> 0
 *   FE_ONE, FE_ZERO, FE_B   constants (lvalues of type FE)
 *
 * All macros are #undef'd at the end of this file.
 *
 * Coordinates:
 *   Jacobian (X, Y, Z) = (X/Z^2, Y/Z^3), Z = 0 is infinity — the public representation,
 *     with the Explicit-Formulas Database formulas (https://hyperelliptic.org/EFD/g1p/
 *     auto-shortw-jacobian-0.html): dbl-2009-l, add-2007-bl, madd-2007-bl. Their special
 *     cases (infinity, P = Q, P = -Q) are handled by branching, so these are variable
 *     time in the degenerate cases only.
 *   Homogeneous projective (X, Y, Z) = (X/Z, Y/Z), (0 : 1 : 0) is infinity — used inside
 *     the constant-time multiplication and the constant-time addition add_ct, with the
 *     complete formulas of Renes, Costello, Batina, "Complete addition formulas for prime
 *     order elliptic curves" (EUROCRYPT 2016), Algorithms 7 (add) and 9 (dbl) for a = 0,
 *     b3 = 3b (9 on E: y^2 = x^3 + 3; 3b' on the twist E'). They have no exception on
 *     curves without points of order 2, which holds for E(Fp) (order r) and E'(Fp2) (order
 *     r (2p - r), odd), so neither needs a branch at all. The projective point is stored
 *     in a JAC struct; jac_to_proj and proj_to_jac convert without a branch.
 *   Affine (x, y), (0, 0) is infinity (not a curve point since b != 0).
 */

/* ------------------------------------------------------------ basics ---- */

static inline void CURVE_FN(set_inf)(JAC *r)
{
    r->x = FE_ONE;
    r->y = FE_ONE;
    r->z = FE_ZERO;
}

static inline bool CURVE_FN(is_inf)(const JAC *a) { return fe_is_zero(&a->z); }

static inline bool CURVE_FN(aff_is_inf)(const AFF *a)
{
    return fe_is_zero(&a->x) && fe_is_zero(&a->y);
}

/* (x, y) -> (x, y, 1); (0, 0) -> (1, 1, 0). Without a branch, as a may be secret. */
static inline void CURVE_FN(from_aff)(JAC *r, const AFF *a)
{
    uint64_t inf = fe_zero_mask(&a->x) & fe_zero_mask(&a->y);
    r->x = a->x;
    r->y = a->y;
    r->z = FE_ONE;
    fe_cmov(&r->x, &FE_ONE, inf);
    fe_cmov(&r->y, &FE_ONE, inf);
    fe_cmov(&r->z, &FE_ZERO, inf);
}

static inline void CURVE_FN(neg)(JAC *r, const JAC *a)
{
    r->x = a->x;
    fe_neg(&r->y, &a->y);
    r->z = a->z;
}

static inline void CURVE_FN(aff_neg)(AFF *r, const AFF *a)
{
    r->x = a->x;
    fe_neg(&r->y, &a->y); /* 0 stays 0, so infinity stays (0, 0) */
}

/* y^2 == x^3 + b; (0, 0) counts as on the curve. */
static inline bool CURVE_FN(aff_on_curve)(const AFF *a)
{
    FE l, r;
    if (CURVE_FN(aff_is_inf)(a)) return true;
    fe_sqr(&l, &a->y);
    fe_sqr(&r, &a->x);
    fe_mul(&r, &r, &a->x);
    fe_add(&r, &r, &FE_B);
    return fe_eq(&l, &r);
}

/* Projective equality: X1 Z2^2 == X2 Z1^2 and Y1 Z2^3 == Y2 Z1^3; two infinities are equal. */
static inline bool CURVE_FN(eq)(const JAC *a, const JAC *b)
{
    bool ia = CURVE_FN(is_inf)(a), ib = CURVE_FN(is_inf)(b);
    FE z1z1, z2z2, l, r, s;
    bool ex, ey;
    if (ia || ib) return ia && ib;
    fe_sqr(&z1z1, &a->z);
    fe_sqr(&z2z2, &b->z);
    fe_mul(&l, &a->x, &z2z2);
    fe_mul(&r, &b->x, &z1z1);
    ex = fe_eq(&l, &r);
    fe_mul(&s, &z2z2, &b->z);
    fe_mul(&l, &a->y, &s);
    fe_mul(&s, &z1z1, &a->z);
    fe_mul(&r, &b->y, &s);
    ey = fe_eq(&l, &r);
    return ex & ey;
}

/* a (Jacobian) == b (affine), the same check with Z2 = 1. */
static inline bool CURVE_FN(eq_aff)(const JAC *a, const AFF *b)
{
    bool ia = CURVE_FN(is_inf)(a), ib = CURVE_FN(aff_is_inf)(b);
    FE z1z1, t;
    bool ex, ey;
    if (ia || ib) return ia && ib;
    fe_sqr(&z1z1, &a->z);
    fe_mul(&t, &b->x, &z1z1);
    ex = fe_eq(&t, &a->x);
    fe_mul(&t, &z1z1, &a->z);
    fe_mul(&t, &b->y, &t);
    ey = fe_eq(&t, &a->y);
    return ex & ey;
}

/* x = X/Z^2, y = Y/Z^3 with a constant-time inversion; infinity (Z = 0) gives (0, 0)
 * because the inverse of 0 is 0. */
static inline void CURVE_FN(to_aff)(AFF *r, const JAC *a)
{
    FE zi, zi2, zi3;
    fe_inv(&zi, &a->z);
    fe_sqr(&zi2, &zi);
    fe_mul(&zi3, &zi2, &zi);
    fe_mul(&r->x, &a->x, &zi2);
    fe_mul(&r->y, &a->y, &zi3);
}

/* Normalize n points with one inversion (Montgomery's trick: Montgomery, "Speeding the
 * Pollard and elliptic curve methods of factorization", Math. Comp. 1987). The prefix
 * products are kept in r[i].x, so no scratch memory is needed. Points at infinity are
 * skipped and give (0, 0). r must not overlap a. Variable time. */
static inline void CURVE_FN(batch_to_aff_var)(AFF *r, const JAC *a, size_t n)
{
    FE acc = FE_ONE, inv, zi, zi2;
    for (size_t i = 0; i < n; i++) {
        if (CURVE_FN(is_inf)(&a[i])) continue;
        r[i].x = acc; /* product of the earlier Z */
        fe_mul(&acc, &acc, &a[i].z);
    }
    fe_inv_var(&inv, &acc); /* inverse of the product of all nonzero Z */
    for (size_t i = n; i-- > 0;) {
        if (CURVE_FN(is_inf)(&a[i])) {
            r[i].x = FE_ZERO;
            r[i].y = FE_ZERO;
            continue;
        }
        fe_mul(&zi, &inv, &r[i].x);  /* 1/Z_i */
        fe_mul(&inv, &inv, &a[i].z); /* inverse of the product of Z_0 .. Z_{i-1} */
        fe_sqr(&zi2, &zi);
        fe_mul(&r[i].x, &a[i].x, &zi2);
        fe_mul(&zi2, &zi2, &zi);
        fe_mul(&r[i].y, &a[i].y, &zi2);
    }
}

/* --------------------------------------------------- Jacobian, EFD ---- */

/* dbl-2009-l (Lange 2009), 2M + 5S:
 *   A = X1^2, B = Y1^2, C = B^2, D = 2((X1 + B)^2 - A - C), E = 3A, F = E^2,
 *   X3 = F - 2D, Y3 = E(D - X3) - 8C, Z3 = 2 Y1 Z1.
 * Infinity (Z1 = 0) maps to Z3 = 0. There is no point with Y1 = 0 (no 2-torsion). */
static inline void CURVE_FN(dbl)(JAC *r, const JAC *a)
{
    FE A, B, C, D, E, F, t;
    fe_sqr(&A, &a->x);
    fe_sqr(&B, &a->y);
    fe_sqr(&C, &B);
    fe_add(&D, &a->x, &B);
    fe_sqr(&D, &D);
    fe_sub(&D, &D, &A);
    fe_sub(&D, &D, &C);
    fe_dbl(&D, &D);
    fe_dbl(&E, &A);
    fe_add(&E, &E, &A);
    fe_sqr(&F, &E);
    fe_mul(&r->z, &a->y, &a->z); /* a->y, a->z are not needed after this */
    fe_dbl(&r->z, &r->z);
    fe_sub(&r->x, &F, &D);
    fe_sub(&r->x, &r->x, &D);
    fe_sub(&t, &D, &r->x);
    fe_mul(&r->y, &E, &t);
    fe_dbl(&C, &C);
    fe_dbl(&C, &C);
    fe_dbl(&C, &C);
    fe_sub(&r->y, &r->y, &C);
}

/* add-2007-bl (Bernstein, Lange 2007), 11M + 5S:
 *   Z1Z1 = Z1^2, Z2Z2 = Z2^2, U1 = X1 Z2Z2, U2 = X2 Z1Z1, S1 = Y1 Z2 Z2Z2, S2 = Y2 Z1 Z1Z1,
 *   H = U2 - U1, I = (2H)^2, J = H I, r = 2(S2 - S1), V = U1 I,
 *   X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 S1 J, Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H.
 * Complete by branching: infinity on either side, H = 0 with S1 = S2 (a == b: double) and
 * H = 0 otherwise (a == -b: infinity). r may alias a or b. */
static inline void CURVE_FN(add)(JAC *r, const JAC *a, const JAC *b)
{
    FE z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    JAC out;
    if (CURVE_FN(is_inf)(a)) {
        *r = *b;
        return;
    }
    if (CURVE_FN(is_inf)(b)) {
        *r = *a;
        return;
    }
    fe_sqr(&z1z1, &a->z);
    fe_sqr(&z2z2, &b->z);
    fe_mul(&u1, &a->x, &z2z2);
    fe_mul(&u2, &b->x, &z1z1);
    fe_mul(&s1, &a->y, &b->z);
    fe_mul(&s1, &s1, &z2z2);
    fe_mul(&s2, &b->y, &a->z);
    fe_mul(&s2, &s2, &z1z1);
    fe_sub(&h, &u2, &u1);
    fe_sub(&rr, &s2, &s1);
    if (fe_is_zero(&h)) {
        if (fe_is_zero(&rr))
            CURVE_FN(dbl)(r, a);
        else
            CURVE_FN(set_inf)(r);
        return;
    }
    fe_dbl(&i, &h);
    fe_sqr(&i, &i);
    fe_mul(&j, &h, &i);
    fe_dbl(&rr, &rr);
    fe_mul(&v, &u1, &i);
    fe_sqr(&out.x, &rr);
    fe_sub(&out.x, &out.x, &j);
    fe_sub(&out.x, &out.x, &v);
    fe_sub(&out.x, &out.x, &v);
    fe_sub(&t, &v, &out.x);
    fe_mul(&out.y, &rr, &t);
    fe_mul(&t, &s1, &j);
    fe_dbl(&t, &t);
    fe_sub(&out.y, &out.y, &t);
    fe_add(&t, &a->z, &b->z);
    fe_sqr(&t, &t);
    fe_sub(&t, &t, &z1z1);
    fe_sub(&t, &t, &z2z2);
    fe_mul(&out.z, &t, &h);
    *r = out;
}

/* madd-2007-bl (Bernstein, Lange 2007), mixed addition with Z2 = 1, 7M + 4S:
 *   Z1Z1 = Z1^2, U2 = X2 Z1Z1, S2 = Y2 Z1 Z1Z1, H = U2 - X1, HH = H^2, I = 4 HH, J = H I,
 *   r = 2(S2 - Y1), V = X1 I, X3 = r^2 - J - 2V, Y3 = r(V - X3) - 2 Y1 J,
 *   Z3 = (Z1 + H)^2 - Z1Z1 - HH.
 * Complete by branching, as add above; b = (0, 0) is infinity. r may alias a. */
static inline void CURVE_FN(add_aff)(JAC *r, const JAC *a, const AFF *b)
{
    FE z1z1, u2, s2, h, hh, i, j, rr, v, t;
    JAC out;
    if (CURVE_FN(aff_is_inf)(b)) {
        *r = *a;
        return;
    }
    if (CURVE_FN(is_inf)(a)) {
        r->x = b->x;
        r->y = b->y;
        r->z = FE_ONE;
        return;
    }
    fe_sqr(&z1z1, &a->z);
    fe_mul(&u2, &b->x, &z1z1);
    fe_mul(&s2, &b->y, &a->z);
    fe_mul(&s2, &s2, &z1z1);
    fe_sub(&h, &u2, &a->x);
    fe_sub(&rr, &s2, &a->y);
    if (fe_is_zero(&h)) {
        if (fe_is_zero(&rr))
            CURVE_FN(dbl)(r, a);
        else
            CURVE_FN(set_inf)(r);
        return;
    }
    fe_sqr(&hh, &h);
    fe_dbl(&i, &hh);
    fe_dbl(&i, &i);
    fe_mul(&j, &h, &i);
    fe_dbl(&rr, &rr);
    fe_mul(&v, &a->x, &i);
    fe_sqr(&out.x, &rr);
    fe_sub(&out.x, &out.x, &j);
    fe_sub(&out.x, &out.x, &v);
    fe_sub(&out.x, &out.x, &v);
    fe_sub(&t, &v, &out.x);
    fe_mul(&out.y, &rr, &t);
    fe_mul(&t, &a->y, &j);
    fe_dbl(&t, &t);
    fe_sub(&out.y, &out.y, &t);
    fe_add(&t, &a->z, &h);
    fe_sqr(&t, &t);
    fe_sub(&t, &t, &z1z1);
    fe_sub(&out.z, &t, &hh);
    *r = out;
}

/* ------------------------------------- projective, complete (RCB 2016) ---- */

/* Algorithm 9 of Renes-Costello-Batina (a = 0): 6M + 2S + 1 m_3b. */
static inline void CURVE_FN(proj_dbl)(JAC *r, const JAC *a)
{
    FE t0, t1, t2, x3, y3, z3;
    fe_sqr(&t0, &a->y);
    fe_dbl(&z3, &t0);
    fe_dbl(&z3, &z3);
    fe_dbl(&z3, &z3);
    fe_mul(&t1, &a->y, &a->z);
    fe_sqr(&t2, &a->z);
    fe_mul_b3(&t2, &t2);
    fe_mul(&x3, &t2, &z3);
    fe_add(&y3, &t0, &t2);
    fe_mul(&z3, &t1, &z3);
    fe_dbl(&t1, &t2);
    fe_add(&t2, &t1, &t2);
    fe_sub(&t0, &t0, &t2);
    fe_mul(&y3, &t0, &y3);
    fe_add(&y3, &x3, &y3);
    fe_mul(&t1, &a->x, &a->y);
    fe_mul(&x3, &t0, &t1);
    fe_dbl(&r->x, &x3);
    r->y = y3;
    r->z = z3;
}

/* Algorithm 7 of Renes-Costello-Batina (a = 0): 12M + 2 m_3b, no exceptional case. */
static inline void CURVE_FN(proj_add)(JAC *r, const JAC *a, const JAC *b)
{
    FE t0, t1, t2, t3, t4, x3, y3, z3;
    fe_mul(&t0, &a->x, &b->x);
    fe_mul(&t1, &a->y, &b->y);
    fe_mul(&t2, &a->z, &b->z);
    fe_add(&t3, &a->x, &a->y);
    fe_add(&t4, &b->x, &b->y);
    fe_mul(&t3, &t3, &t4);
    fe_add(&t4, &t0, &t1);
    fe_sub(&t3, &t3, &t4);
    fe_add(&t4, &a->y, &a->z);
    fe_add(&x3, &b->y, &b->z);
    fe_mul(&t4, &t4, &x3);
    fe_add(&x3, &t1, &t2);
    fe_sub(&t4, &t4, &x3);
    fe_add(&x3, &a->x, &a->z);
    fe_add(&y3, &b->x, &b->z);
    fe_mul(&x3, &x3, &y3);
    fe_add(&y3, &t0, &t2);
    fe_sub(&y3, &x3, &y3);
    fe_dbl(&x3, &t0);
    fe_add(&t0, &x3, &t0);
    fe_mul_b3(&t2, &t2);
    fe_add(&z3, &t1, &t2);
    fe_sub(&t1, &t1, &t2);
    fe_mul_b3(&y3, &y3);
    fe_mul(&x3, &t4, &y3);
    fe_mul(&t2, &t3, &t1);
    fe_sub(&x3, &t2, &x3);
    fe_mul(&y3, &y3, &t0);
    fe_mul(&t1, &t1, &z3);
    fe_add(&y3, &t1, &y3);
    fe_mul(&t0, &t0, &t3);
    fe_mul(&z3, &z3, &t4);
    fe_add(&z3, &z3, &t0);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* Jacobian (X, Y, Z) -> projective (X Z, Y, Z^3): x = XZ/Z^3 = X/Z^2, y = Y/Z^3. Infinity
 * (Z = 0, any X, Y) -> (0 : 1 : 0), by a masked move. r may alias a. */
static inline void CURVE_FN(jac_to_proj)(JAC *r, const JAC *a)
{
    uint64_t inf = fe_zero_mask(&a->z);
    FE z2;
    fe_sqr(&z2, &a->z);
    fe_mul(&r->x, &a->x, &a->z);
    r->y = a->y;
    fe_mul(&r->z, &z2, &a->z);
    fe_cmov(&r->y, &FE_ONE, inf);
}

/* Projective (X, Y, Z) -> Jacobian (X Z, Y Z^2, Z): X Z/Z^2 = X/Z, Y Z^2/Z^3 = Y/Z.
 * Infinity (0 : Y : 0) -> (1, 1, 0), by masked moves. r may alias a. */
static inline void CURVE_FN(proj_to_jac)(JAC *r, const JAC *a)
{
    uint64_t inf = fe_zero_mask(&a->z);
    FE z2;
    fe_sqr(&z2, &a->z);
    fe_mul(&r->x, &a->x, &a->z);
    fe_mul(&r->y, &a->y, &z2);
    r->z = a->z;
    fe_cmov(&r->x, &FE_ONE, inf);
    fe_cmov(&r->y, &FE_ONE, inf);
}

/*
 * r = a + b on Jacobian points, constant time in both: converted to projective, added with
 * Algorithm 7 of Renes-Costello-Batina (complete: a == b, a == -b and infinity on either side
 * take the same 12M + 2 m_3b as any other pair), converted back; 21 multiplications and
 * squarings against add's 16, about 1.4 times its time, and not one branch or
 * secret-dependent address. For points derived from secrets (the prover's r, s blinding
 * terms); add above is the faster variable-time one. r may alias a or b.
 */
static inline void CURVE_FN(add_ct)(JAC *r, const JAC *a, const JAC *b)
{
    JAC pa, pb;
    CURVE_FN(jac_to_proj)(&pa, a);
    CURVE_FN(jac_to_proj)(&pb, b);
    CURVE_FN(proj_add)(&pa, &pa, &pb);
    CURVE_FN(proj_to_jac)(r, &pa);
}

/* r = tab[idx] for idx < 16, reading every entry (no secret-dependent address). */
static inline void CURVE_FN(ct_lookup16)(JAC *r, const JAC tab[16], uint64_t idx)
{
    *r = tab[0];
    for (uint64_t i = 1; i < 16; i++) {
        uint64_t m = ct_eq_mask(i, idx);
        fe_cmov(&r->x, &tab[i].x, m);
        fe_cmov(&r->y, &tab[i].y, m);
        fe_cmov(&r->z, &tab[i].z, m);
    }
}

/*
 * r = k a, constant time in k (any 256-bit value) and in a: fixed 4-bit windows from the
 * top, a 16-entry table {0, a, ..., 15a} read with ct_lookup16, 252 doublings and 63
 * additions, all with the complete projective formulas, so neither a zero window nor a
 * small or degenerate scalar changes the sequence of operations.
 */
static inline void CURVE_FN(mul_ct)(JAC *r, const JAC *a, const uint64_t k[4])
{
    JAC tab[16], acc, t;
    tab[0].x = FE_ZERO;
    tab[0].y = FE_ONE;
    tab[0].z = FE_ZERO;
    CURVE_FN(jac_to_proj)(&tab[1], a);
    for (int i = 2; i < 16; i++) {
        if (i & 1)
            CURVE_FN(proj_add)(&tab[i], &tab[i - 1], &tab[1]);
        else
            CURVE_FN(proj_dbl)(&tab[i], &tab[i / 2]);
    }
    CURVE_FN(ct_lookup16)(&acc, tab, scalar_bits(k, 4, 252, 4));
    for (int w = 62; w >= 0; w--) {
        CURVE_FN(proj_dbl)(&acc, &acc);
        CURVE_FN(proj_dbl)(&acc, &acc);
        CURVE_FN(proj_dbl)(&acc, &acc);
        CURVE_FN(proj_dbl)(&acc, &acc);
        CURVE_FN(ct_lookup16)(&t, tab, scalar_bits(k, 4, (unsigned)(4 * w), 4));
        CURVE_FN(proj_add)(&acc, &acc, &t);
    }
    CURVE_FN(proj_to_jac)(r, &acc);
}

/* ------------------------------------------------------- variable time ---- */

/* Odd multiples a, 3a, ..., (2n-1)a in Jacobian coordinates (a not at infinity). */
static inline void CURVE_FN(odd_multiples)(JAC *tab, const JAC *a, int n)
{
    JAC a2;
    tab[0] = *a;
    CURVE_FN(dbl)(&a2, a);
    for (int i = 1; i < n; i++) CURVE_FN(add)(&tab[i], &tab[i - 1], &a2);
}

/* r = k a by width-5 wNAF with a table of 8 Jacobian odd multiples: about 256 doublings
 * and 43 additions for a 256-bit k. Variable time. */
static inline void CURVE_FN(mul_wnaf_var)(JAC *r, const JAC *a, const uint64_t *k, size_t nlimbs)
{
    int8_t naf[WNAF_MAX(4)];
    JAC tab[8], acc, t;
    int len;
    if (nlimbs > 4 || CURVE_FN(is_inf)(a) || (len = wnaf_recode(naf, k, nlimbs, 5)) == 0) {
        CURVE_FN(set_inf)(r);
        return;
    }
    CURVE_FN(odd_multiples)(tab, a, 8);
    CURVE_FN(set_inf)(&acc);
    for (int i = len - 1; i >= 0; i--) {
        int d = naf[i];
        CURVE_FN(dbl)(&acc, &acc);
        if (d > 0) {
            CURVE_FN(add)(&acc, &acc, &tab[(d - 1) / 2]);
        } else if (d < 0) {
            CURVE_FN(neg)(&t, &tab[(-d - 1) / 2]);
            CURVE_FN(add)(&acc, &acc, &t);
        }
    }
    *r = acc;
}

#undef CURVE_FN
#undef JAC
#undef AFF
#undef FE
#undef fe_add
#undef fe_sub
#undef fe_dbl
#undef fe_neg
#undef fe_mul
#undef fe_sqr
#undef fe_is_zero
#undef fe_eq
#undef fe_cmov
#undef fe_zero_mask
#undef fe_mul_b3
#undef fe_inv
#undef fe_inv_var
#undef FE_ONE
#undef FE_ZERO
#undef FE_B
