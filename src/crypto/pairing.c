/*
 * The optimal ate pairing on BN254 (Vercauteren, "Optimal pairings", IEEE TIT 2010):
 *
 *   e(P, Q) = ( f_{6u+2,Q}(P) * l_{T,pi(Q)}(P) * l_{T+pi(Q),-pi^2(Q)}(P) )^((p^12-1)/r)
 *
 * where T = [6u+2]Q. The Miller loop runs over the NAF of 6u+2 with Q on the D-type
 * twist in homogeneous projective coordinates; lines come from Costello, Lange, Naehrig,
 * "Faster pairing computations on curves with high-degree twists" (PKC 2010), in the
 * form of Aranha, Karabina, Longa, Gebotys, Lopez, "Faster explicit formulas for
 * computing pairings over ordinary curves" (EUROCRYPT 2011), equations (10) and (12).
 *
 * A line through points of the twist, untwisted by (x, y) -> (x w^2, y w^3) and
 * evaluated at P = (xP, yP), is  a yP + b xP w + c w^3  with a, b, c in Fp2, defined up
 * to an Fp2 factor, which the final exponentiation removes (Fp2* has order dividing
 * p^6 - 1). Many pairs share one loop: f is squared once per step for all of them.
 *
 * The final exponentiation splits (p^12-1)/r = (p^6-1)(p^2+1) * (p^4-p^2+1)/r; the
 * hard part uses the multiple 2u(6u^2+3u+1) (p^4-p^2+1)/r = l0 + l1 p + l2 p^2 + l3 p^3
 * of Fuentes-Castaneda, Knapp, Rodriguez-Henriquez, "Faster hashing to G2" (SAC 2011),
 * section 6 (the multiple is coprime to r, so pairing checks are unaffected), with
 * Granger-Scott cyclotomic squarings and the exponentiations by u over a width-4 NAF.
 */
#include <string.h>

#include "crypto/tower.h"

static const tacit_fp2 B2_3 = TACIT__B2_3;
static const tacit_fp2 PSI_X = TACIT__PSI_X, PSI_Y = TACIT__PSI_Y;
static const tacit_fp2 PSI2_X = TACIT__PSI2_X, PSI2_Y = TACIT__PSI2_Y;
static const signed char ATE_NAF[TACIT__ATE_NAF_LEN] = TACIT__ATE_NAF;

/* Line coefficients of one step: the line at P is a yP + b xP w + c w^3. */
typedef struct {
    tacit_fp2 a, b, c;
} tacit_line;

/* The point T of a Miller loop on the twist, homogeneous projective: (X/Z, Y/Z). */
typedef struct {
    tacit_fp2 x, y, z;
} proj2;

/* r = a / 2 in Fp: add p when a is odd (the sum has at most 255 bits), then shift. */
static inline void fp_half(tacit_fp *r, const tacit_fp *a)
{
    uint64_t mask = 0 - (a->l[0] & 1), c = 0, t[4];
    for (int i = 0; i < 4; i++) t[i] = tacit__adc(a->l[i], tacit__p.l[i] & mask, &c);
    r->l[0] = (t[0] >> 1) | (t[1] << 63);
    r->l[1] = (t[1] >> 1) | (t[2] << 63);
    r->l[2] = (t[2] >> 1) | (t[3] << 63);
    r->l[3] = (t[3] >> 1) | (c << 63);
}

static inline void fp2_half(tacit_fp2 *r, const tacit_fp2 *a)
{
    fp_half(&r->c0, &a->c0);
    fp_half(&r->c1, &a->c1);
}

/* T <- 2T and the tangent line at T (Aranha et al. 2011, eq. 10):
 *   A = XY/2, B = Y^2, C = Z^2, E = 3b'C, F = 3E, G = (B+F)/2, H = (Y+Z)^2 - B - C,
 *   X3 = A (B - F), Y3 = G^2 - 3E^2, Z3 = B H;  line: a = H, b = -3X^2, c = B - E. */
static inline void dbl_step(proj2 *t, tacit_line *l)
{
    tacit_fp2 a, b, c, e, f, g, h, s;
    fp2_mul(&a, &t->x, &t->y);
    fp2_half(&a, &a);
    fp2_sqr(&b, &t->y);
    fp2_sqr(&c, &t->z);
    fp2_mul(&e, &c, &B2_3);
    fp2_dbl(&f, &e);
    fp2_add(&f, &f, &e);
    fp2_add(&g, &b, &f);
    fp2_half(&g, &g);
    fp2_add(&h, &t->y, &t->z);
    fp2_sqr(&h, &h);
    fp2_sub(&h, &h, &b);
    fp2_sub(&h, &h, &c);
    /* line */
    fp2_sqr(&s, &t->x);
    fp2_dbl(&l->b, &s);
    fp2_add(&l->b, &l->b, &s);
    fp2_neg(&l->b, &l->b);
    fp2_sub(&l->c, &b, &e);
    l->a = h;
    /* point */
    fp2_sub(&s, &b, &f);
    fp2_mul(&t->x, &a, &s);
    fp2_sqr(&s, &e);
    fp2_dbl(&c, &s);
    fp2_add(&s, &c, &s); /* 3E^2 */
    fp2_sqr(&g, &g);
    fp2_sub(&t->y, &g, &s);
    fp2_mul(&t->z, &b, &h);
}

/* T <- T + Q (Q affine) and the line through T and Q (Aranha et al. 2011, eq. 12):
 *   th = Y - yq Z, la = X - xq Z, C = th^2, D = la^2, E = la D, F = Z C, G = X D,
 *   H = E + F - 2G, X3 = la H, Y3 = th (G - H) - Y E, Z3 = Z E;
 *   line: a = -la, b = th, c = la yq - th xq. */
static inline void add_step(proj2 *t, const tacit_g2_affine *q, tacit_line *l)
{
    tacit_fp2 th, la, c, d, e, f, g, h, s;
    fp2_mul(&s, &q->y, &t->z);
    fp2_sub(&th, &t->y, &s);
    fp2_mul(&s, &q->x, &t->z);
    fp2_sub(&la, &t->x, &s);
    fp2_sqr(&c, &th);
    fp2_sqr(&d, &la);
    fp2_mul(&e, &d, &la);
    fp2_mul(&f, &t->z, &c);
    fp2_mul(&g, &t->x, &d);
    fp2_add(&h, &e, &f);
    fp2_sub(&h, &h, &g);
    fp2_sub(&h, &h, &g);
    /* line */
    fp2_neg(&l->a, &la);
    l->b = th;
    fp2_mul(&s, &la, &q->y);
    fp2_mul(&l->c, &th, &q->x);
    fp2_sub(&l->c, &s, &l->c);
    /* point */
    fp2_mul(&t->x, &la, &h);
    fp2_sub(&s, &g, &h);
    fp2_mul(&s, &s, &th);
    fp2_mul(&h, &t->y, &e);
    fp2_sub(&t->y, &s, &h);
    fp2_mul(&t->z, &t->z, &e);
}

/* f <- f * line(P) */
static inline void mul_line(tacit_fp12 *f, const tacit_line *l, const tacit_g1_affine *p)
{
    tacit_fp2 l0, l1;
    fp2_mul_fp(&l0, &l->a, &p->y);
    fp2_mul_fp(&l1, &l->b, &p->x);
    fp12_mul_by_line(f, &l0, &l1, &l->c);
}

/* f <- f * line(P) for a normalised prepared line, with P given as (xP/yP, 1/yP):
 * the line divided by yP is 1 + (b xP/yP) w + (c/yP) w^3. */
static inline void mul_prepared_line(tacit_fp12 *f, const tacit_prepared_line *l,
                                     const tacit_g1_affine *pn)
{
    tacit_fp2 l1, l3;
    fp2_mul_fp(&l1, &l->b, &pn->x);
    fp2_mul_fp(&l3, &l->c, &pn->y);
    fp12_mul_by_line_1(f, &l1, &l3);
}

/* pi(Q) and -pi^2(Q) on the twist, through psi (see bn254.h). */
static void frobenius_points(tacit_g2_affine *q1, tacit_g2_affine *q2m, const tacit_g2_affine *q)
{
    fp2_conj(&q1->x, &q->x);
    fp2_mul(&q1->x, &q1->x, &PSI_X);
    fp2_conj(&q1->y, &q->y);
    fp2_mul(&q1->y, &q1->y, &PSI_Y);
    fp2_mul(&q2m->x, &q->x, &PSI2_X);
    fp2_mul(&q2m->y, &q->y, &PSI2_Y);
    fp2_neg(&q2m->y, &q2m->y);
}

static inline bool g1_affine_is_inf(const tacit_g1_affine *a)
{
    return fp_is_zero(&a->x) && fp_is_zero(&a->y);
}

static inline bool g2_affine_is_inf(const tacit_g2_affine *a)
{
    return fp2_is_zero(&a->x) && fp2_is_zero(&a->y);
}

void tacit_g2_prepare(tacit_g2_prepared *out, const tacit_g2_affine *q)
{
    memset(out, 0, sizeof *out);
    out->infinity = g2_affine_is_inf(q);
    if (out->infinity) return;
    tacit_g2_affine qneg = *q, q1, q2m;
    fp2_neg(&qneg.y, &qneg.y);
    proj2 t = {q->x, q->y, {TACIT_FP_ONE, TACIT_FP_ZERO}};
    tacit_line lines[TACIT_PAIRING_LINES];
    size_t k = 0;
    for (int i = 1; i < TACIT__ATE_NAF_LEN; i++) {
        dbl_step(&t, &lines[k++]);
        if (ATE_NAF[i] == 1)
            add_step(&t, q, &lines[k++]);
        else if (ATE_NAF[i] == -1)
            add_step(&t, &qneg, &lines[k++]);
    }
    frobenius_points(&q1, &q2m, q);
    add_step(&t, &q1, &lines[k++]);
    add_step(&t, &q2m, &lines[k++]);
    /* normalise: divide each line by its a (an Fp2 factor, removed by the final
     * exponentiation); for Q in G2, a is never 0 (it would need T = +-Q mid-loop). */
    for (k = 0; k < TACIT_PAIRING_LINES; k++) {
        tacit_fp2 inv;
        tacit__fp2_inv_var(&inv, &lines[k].a);
        fp2_mul(&out->lines[k].b, &lines[k].b, &inv);
        fp2_mul(&out->lines[k].c, &lines[k].c, &inv);
    }
}

/* Variable pairs are processed in groups of this size so the per-pair state stays on
 * the stack; each group's loop output is multiplied into the result. */
#define MILLER_GROUP 16

/*
 * G2 membership from the end point of the loop. After the two final steps the accumulator of
 * a pair is T = [6u+2]Q + psi(Q) - psi^2(Q). On G2 psi acts as [p mod r], and
 * 6u+2 + p - p^2 + p^3 = 0 mod r for BN curves, so T == -psi^3(Q) when Q is in G2. Conversely
 * T == -psi^3(Q) says that the endomorphism (6u+2) + psi - psi^2 + psi^3 kills Q; reduced
 * modulo psi^2 - t psi + p it is a + b psi with N = a^2 + a b t + b^2 p coprime to the
 * cofactor h = 2p - r, so its kernel on E'(Fp2) = G2 (+) H is G2 alone (Dai, Lin, Zhao, Zhou,
 * eprint 2022/348, Theorem 1; the test psi(Q) == [p]Q it replaces is El Housni, Guillevic,
 * Piellard, AFRICACRYPT 2022, sec. 4). contrib/check-g2-subgroup-test.py, section 6, checks
 * these numbers. The step formulas are exact while no step is exceptional (doubling O or a
 * point of order 2, adding T = +-Q); an exceptional step sets Z = 0, which no later step
 * undoes (both steps multiply Z by a factor that vanishes with it), so Z != 0 is required:
 * exceptional steps reject. For Q in G2 no step is exceptional: the partial multiples k of
 * the loop are below 2^67 < r, and 6u+2 != +-p, 6u+2 + p != +-p^2 mod r (checked there too).
 *
 * -psi^3(x, y) = (conj(x) w xi^((p-1)/3), conj(y) xi^((p-1)/2)) with w = xi^((p^2-1)/3) in Fp
 * (psi^2(x, y) = (x w, -y), see g2.c), compared with T = (X : Y : Z) without inversion.
 */
static bool end_point_in_g2(const proj2 *t, const tacit_g2_affine *q)
{
    tacit_fp2 x3, y3, s;
    if (fp2_is_zero(&t->z)) return false;
    fp2_conj(&x3, &q->x);
    fp2_mul(&x3, &x3, &PSI_X);
    fp2_mul_fp(&x3, &x3, &PSI2_X.c0);
    fp2_mul(&s, &x3, &t->z);
    if (!fp2_eq(&s, &t->x)) return false;
    fp2_conj(&y3, &q->y);
    fp2_mul(&y3, &y3, &PSI_Y);
    fp2_mul(&s, &y3, &t->z);
    return fp2_eq(&s, &t->y);
}

/* in_g2 == NULL: the plain loop. Otherwise in_g2[i] is set for every variable pair i, and
 * pairs whose P is infinity still contribute 1 but have Q checked (by the separate test:
 * the loop skips them). */
static void miller_group(tacit_fp12 *f, bool *in_g2, const tacit_g1_affine *p,
                         const tacit_g2_affine *q, size_t n, const tacit_g1_affine *pp,
                         const tacit_g2_prepared *const *qp, size_t np)
{
    proj2 t[MILLER_GROUP];
    tacit_g2_affine qneg[MILLER_GROUP];
    size_t live[MILLER_GROUP], nlive = 0, plive[MILLER_GROUP], nplive = 0;
    tacit_line l;

    for (size_t i = 0; i < n; i++) {
        if (in_g2 != NULL) in_g2[i] = true;
        if (g2_affine_is_inf(&q[i])) continue;
        if (g1_affine_is_inf(&p[i])) {
            if (in_g2 != NULL) in_g2[i] = tacit_g2_is_in_subgroup_var(&q[i]);
            continue;
        }
        live[nlive] = i;
        t[nlive].x = q[i].x;
        t[nlive].y = q[i].y;
        t[nlive].z = (tacit_fp2){TACIT_FP_ONE, TACIT_FP_ZERO};
        qneg[nlive] = q[i];
        fp2_neg(&qneg[nlive].y, &qneg[nlive].y);
        nlive++;
    }
    for (size_t j = 0; j < np; j++) {
        if (g1_affine_is_inf(&pp[j]) || qp[j]->infinity) continue;
        plive[nplive++] = j;
    }
    /* (xP/yP, 1/yP) for the prepared pairs, with one inversion (Montgomery's trick) */
    tacit_g1_affine pn[MILLER_GROUP];
    if (nplive > 0) {
        tacit_fp acc[MILLER_GROUP], inv;
        acc[0] = pp[plive[0]].y;
        for (size_t m = 1; m < nplive; m++) fp_mul(&acc[m], &acc[m - 1], &pp[plive[m]].y);
        tacit_fp_inv_var(&inv, &acc[nplive - 1]);
        for (size_t m = nplive; m-- > 0;) {
            if (m > 0) {
                fp_mul(&pn[m].y, &inv, &acc[m - 1]);
                fp_mul(&inv, &inv, &pp[plive[m]].y);
            } else {
                pn[m].y = inv;
            }
            fp_mul(&pn[m].x, &pp[plive[m]].x, &pn[m].y);
        }
    }

    *f = TACIT_FP12_ONE;
    size_t k = 0; /* index into the prepared lines */
    for (int i = 1; i < TACIT__ATE_NAF_LEN; i++) {
        if (i > 1) fp12_sqr(f, f);
        for (size_t m = 0; m < nlive; m++) {
            dbl_step(&t[m], &l);
            mul_line(f, &l, &p[live[m]]);
        }
        for (size_t m = 0; m < nplive; m++) mul_prepared_line(f, &qp[plive[m]]->lines[k], &pn[m]);
        k++;
        if (ATE_NAF[i] != 0) {
            for (size_t m = 0; m < nlive; m++) {
                add_step(&t[m], ATE_NAF[i] == 1 ? &q[live[m]] : &qneg[m], &l);
                mul_line(f, &l, &p[live[m]]);
            }
            for (size_t m = 0; m < nplive; m++)
                mul_prepared_line(f, &qp[plive[m]]->lines[k], &pn[m]);
            k++;
        }
    }
    for (size_t m = 0; m < nlive; m++) {
        tacit_g2_affine q1, q2m;
        frobenius_points(&q1, &q2m, &q[live[m]]);
        add_step(&t[m], &q1, &l);
        mul_line(f, &l, &p[live[m]]);
        add_step(&t[m], &q2m, &l);
        mul_line(f, &l, &p[live[m]]);
        if (in_g2 != NULL) in_g2[live[m]] = end_point_in_g2(&t[m], &q[live[m]]);
    }
    for (size_t m = 0; m < nplive; m++) {
        mul_prepared_line(f, &qp[plive[m]]->lines[k], &pn[m]);
        mul_prepared_line(f, &qp[plive[m]]->lines[k + 1], &pn[m]);
    }
}

static void miller_loop(tacit_fp12 *f, bool *in_g2, const tacit_g1_affine *p,
                        const tacit_g2_affine *q, size_t n, const tacit_g1_affine *pp,
                        const tacit_g2_prepared *const *qp, size_t np)
{
    tacit_fp12 acc = TACIT_FP12_ONE, g;
    size_t i = 0, j = 0;
    do {
        size_t nv = n - i < MILLER_GROUP ? n - i : MILLER_GROUP;
        size_t npr = np - j < MILLER_GROUP ? np - j : MILLER_GROUP;
        /* (pointer arithmetic only on non-empty arrays: p, pp may be NULL) */
        miller_group(i == 0 && j == 0 ? &acc : &g, in_g2 != NULL && nv ? in_g2 + i : in_g2,
                     nv ? p + i : p, nv ? q + i : q, nv, npr ? pp + j : pp, npr ? qp + j : qp, npr);
        if (i != 0 || j != 0) fp12_mul(&acc, &acc, &g);
        i += nv;
        j += npr;
    } while (i < n || j < np);
    *f = acc;
}

void tacit_miller_loop_var(tacit_fp12 *f, const tacit_g1_affine *p, const tacit_g2_affine *q,
                           size_t n, const tacit_g1_affine *pp, const tacit_g2_prepared *const *qp,
                           size_t np)
{
    miller_loop(f, NULL, p, q, n, pp, qp, np);
}

void tacit_miller_loop_g2check_var(tacit_fp12 *f, bool *in_g2, const tacit_g1_affine *p,
                                   const tacit_g2_affine *q, size_t n, const tacit_g1_affine *pp,
                                   const tacit_g2_prepared *const *qp, size_t np)
{
    miller_loop(f, in_g2, p, q, n, pp, qp, np);
}

/* Width-4 NAF of u (Solinas 2000; most significant digit first): odd digits in {+-1, +-3,
 * +-5, +-7}, at most one non-zero digit in any 4 consecutive; sum d_i 2^i = u. 14 non-zero
 * digits against 24 in the plain NAF, so 13 multiplications by a, a^3, a^5, a^7 (3 to build)
 * instead of 23. Regenerate: d = x mod 16 mapped into (-8, 8) while x is odd, x = (x - d)/2. */
static const signed char U_WNAF[63] = {1, 0, 0, 0, 0, 0, 5, 0, 0,  0, 0,  -3, 0,  0, 0,  3,
                                       0, 0, 0, 0, 5, 0, 0, 0, -5, 0, 0,  0,  -3, 0, 0,  0,
                                       1, 0, 0, 0, 0, 5, 0, 0, 0,  0, 7,  0,  0,  0, -7, 0,
                                       0, 0, 0, 0, 0, 5, 0, 0, 0,  0, -1, 0,  0,  0, 1};

/* r = a^u for a in the cyclotomic subgroup, where a^-1 = conj(a): left-to-right over the
 * width-4 NAF of u with Granger-Scott squarings and the table a, a^3, a^5, a^7. */
static void cyclotomic_exp_u(tacit_fp12 *r, const tacit_fp12 *a)
{
    tacit_fp12 tab[4], a2, acc, t;
    tab[0] = *a;
    tacit_fp12_cyclotomic_sqr(&a2, a);
    for (int k = 1; k < 4; k++) fp12_mul(&tab[k], &tab[k - 1], &a2);
    acc = tab[(U_WNAF[0] - 1) / 2]; /* the top digit is positive */
    for (size_t i = 1; i < sizeof U_WNAF; i++) {
        int d = U_WNAF[i];
        tacit_fp12_cyclotomic_sqr(&acc, &acc);
        if (d > 0) {
            fp12_mul(&acc, &acc, &tab[(d - 1) / 2]);
        } else if (d < 0) {
            tacit_fp12_conj(&t, &tab[(-d - 1) / 2]);
            fp12_mul(&acc, &acc, &t);
        }
    }
    *r = acc;
}

/* var: the easy part's inversion is the variable-time one (f public); everything else
 * branches only on the fixed exponent, so it is the same code either way. */
static void final_exp(tacit_fp12 *r, const tacit_fp12 *f, bool var)
{
    tacit_fp12 t, g, fx, f2x, f4x, f6x, f6x2, f12x2, f12x3, a, b, c, d;
    /* easy part: g = f^((p^6 - 1)(p^2 + 1)) */
    if (var)
        tacit__fp12_inv_var(&t, f);
    else
        tacit_fp12_inv(&t, f);
    tacit_fp12_conj(&g, f);
    fp12_mul(&g, &g, &t);
    tacit_fp12_frob(&t, &g, 2);
    fp12_mul(&g, &g, &t);
    /* hard part: g^(l0 + l1 p + l2 p^2 + l3 p^3) with
     *   l0 = 1 + 6u + 12u^2 + 12u^3, l1 = 4u + 6u^2 + 12u^3,
     *   l2 = 6u + 6u^2 + 12u^3,      l3 = -1 + 4u + 6u^2 + 12u^3.
     * (contrib/gen-bn254-constants.py's sibling check: these sum to
     * 2u(6u^2+3u+1)(p^4-p^2+1)/r; inverses in the cyclotomic subgroup are conjugates.) */
    cyclotomic_exp_u(&fx, &g);                /* g^u */
    tacit_fp12_cyclotomic_sqr(&f2x, &fx);     /* g^2u */
    tacit_fp12_cyclotomic_sqr(&f4x, &f2x);    /* g^4u */
    fp12_mul(&f6x, &f4x, &f2x);               /* g^6u */
    cyclotomic_exp_u(&f6x2, &f6x);            /* g^6u^2 */
    tacit_fp12_cyclotomic_sqr(&f12x2, &f6x2); /* g^12u^2 */
    cyclotomic_exp_u(&f12x3, &f12x2);         /* g^12u^3 */
    fp12_mul(&a, &f12x3, &f6x2);
    fp12_mul(&a, &a, &f6x); /* a = g^l2 */
    tacit_fp12_conj(&t, &f2x);
    fp12_mul(&b, &a, &t); /* b = g^l1 */
    tacit_fp12_conj(&t, &g);
    fp12_mul(&c, &b, &t); /* c = g^l3 */
    fp12_mul(&d, &a, &f6x2);
    fp12_mul(&d, &d, &g); /* d = g^l0 */
    tacit_fp12_frob(&t, &b, 1);
    fp12_mul(&d, &d, &t);
    tacit_fp12_frob(&t, &a, 2);
    fp12_mul(&d, &d, &t);
    tacit_fp12_frob(&t, &c, 3);
    fp12_mul(r, &d, &t);
}

void tacit_final_exp(tacit_fp12 *r, const tacit_fp12 *f) { final_exp(r, f, false); }
void tacit_final_exp_var(tacit_fp12 *r, const tacit_fp12 *f) { final_exp(r, f, true); }

void tacit_pairing(tacit_fp12 *r, const tacit_g1_affine *p, const tacit_g2_affine *q)
{
    tacit_fp12 f;
    tacit_miller_loop_var(&f, p, q, 1, NULL, NULL, 0);
    tacit_final_exp(r, &f);
}

bool tacit_pairing_check_var(const tacit_g1_affine *p, const tacit_g2_affine *q, size_t n)
{
    tacit_fp12 f;
    tacit_miller_loop_var(&f, p, q, n, NULL, NULL, 0);
    tacit_final_exp_var(&f, &f);
    return tacit_fp12_is_one(&f);
}
