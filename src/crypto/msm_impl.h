/*
 * Internal to src/crypto: multi-scalar multiplication templates, instantiated for G1 and
 * G2 by msm.c. No include guard: msm.c includes this file once per group after defining
 *
 *   MSM_FN(name)   the name of a generated function (e.g. m1_##name)
 *   CFN(name)      the group law of curve_impl.h for this group (e.g. c1_##name)
 *   JAC, AFF, FE   point and coordinate types
 *   fe_add fe_sub fe_dbl fe_neg fe_mul fe_sqr fe_eq fe_inv_var, FE_ONE
 *   fe_inv fe_cmov fe_zero_mask FE_ZERO (constant time, for the fixed-base part)
 * and optionally, to batch-invert through a norm to a subfield (G2: 1/d = conj(d)/N(d),
 * N(d) = c0^2 + c1^2 in Fp, so Montgomery's trick runs on Fp elements, 7 Fp
 * multiplications per element instead of 3 Fp2 ones = 9):
 *   MSM_NORM(n, d), MSM_NORM_INV(di, d, ninv), NM (the subfield type), nm_mul,
 *   nm_inv_var, NM_ONE
 *
 * All macros are #undef'd at the end.
 *
 * Two Pippenger variants (Pippenger, "On the evaluation of powers and monomials", FOCS
 * 1976), both with the signed Booth windows of curve.h (2^(c-1) buckets for c bits):
 *
 *  - window(): one window of a large MSM, with the buckets filled by AFFINE additions
 *    whose inversions are shared (Montgomery's trick): the points of the window are sorted
 *    into their buckets (counting sort), then every bucket is reduced pairwise, all pairs
 *    of all buckets at once, one inversion per round, about log2(n / 2^(c-1)) rounds. An
 *    affine addition with a shared inversion costs about 6 multiplications against 11 for
 *    a mixed Jacobian one, the idea of the "batch affine" MSMs of gnark-crypto and
 *    barretenberg; reducing each bucket as a balanced tree, level by level, makes every
 *    level one batch with no conflicts to schedule. Needs scratch memory from the
 *    caller; windows are independent, so threads split them.
 *  - pippenger_jac(): the whole MSM with Jacobian buckets on the stack, no heap (for the
 *    public tacit_g2_msm_var), as in g1.c.
 *
 * Both are variable time: for public scalars, or for a prover that accepts timing leaks
 * of its witness (as every practical Groth16 prover does). The fixed-base part at the
 * end (the devnet setup) is constant time in the scalars.
 */

#ifdef MSM_NORM
#define MSM_PRE NM
#define MSM_NPRE 2 /* prefix products and norms */
#else
#define MSM_PRE FE
#define MSM_NPRE 1
#endif

/* Points sorted at once: a chunk's ch points plus the buckets it touches, or the 2 nb
 * copies of the buckets for their row and column sums (window()). */
static inline size_t MSM_FN(slots)(size_t nb, size_t ch)
{
    size_t s = ch + (nb < ch ? nb : ch);
    return s > 2 * nb ? s : 2 * nb;
}

/* Scratch of window() for n points in chunks of `chunk`: the persistent buckets (nb
 * points and nb flags), and for one chunk of ch points the bucket-sorted copies (ch
 * points plus at most min(nb, ch) bucket values), the denominators and prefix products
 * of at most ch pairs per round, the digits and three nb-entry index arrays. Points and
 * field elements first (8-byte aligned), then the 32-bit and the byte arrays. The
 * batch-inversion arrays also hold the nb pairs of the first round of the row and
 * column sums. */
static inline size_t MSM_FN(scratch_bytes)(size_t n, unsigned c, size_t chunk)
{
    size_t nb = (size_t)1 << (c - 1), ch = n < chunk ? n : chunk;
    size_t slots = MSM_FN(slots)(nb, ch), npair = ch > nb ? ch : nb;
    return (nb + slots) * sizeof(AFF) + npair * (sizeof(FE) + MSM_NPRE * sizeof(MSM_PRE)) +
           ch * sizeof(int32_t) + 3 * nb * sizeof(uint32_t) + nb;
}

/* Denominator of the affine sum P + Q: x2 - x1, or 2 y1 when P == Q (doubling), or 1 when
 * no inversion is needed (an operand at infinity, or P == -Q). */
static inline void MSM_FN(pair_den)(FE *den, const AFF *p, const AFF *q)
{
    if (CFN(aff_is_inf)(p) || CFN(aff_is_inf)(q)) {
        *den = FE_ONE;
    } else if (fe_eq(&p->x, &q->x)) {
        if (fe_eq(&p->y, &q->y))
            fe_dbl(den, &p->y);
        else
            *den = FE_ONE;
    } else {
        fe_sub(den, &q->x, &p->x);
    }
}

/* The numerator of lambda for P + Q in the common cases (the lanes of msm.c): y2 - y1 when
 * x1 != x2, 3 x1^2 when P == Q (over pair_den's 2 y1). False, num untouched, for an operand
 * at infinity or P == -Q, which pair_add handles without a lambda. */
static inline bool MSM_FN(pair_num)(FE *num, const AFF *p, const AFF *q)
{
    FE t;
    if (CFN(aff_is_inf)(p) || CFN(aff_is_inf)(q)) return false;
    if (!fe_eq(&p->x, &q->x)) {
        fe_sub(num, &q->y, &p->y);
        return true;
    }
    if (!fe_eq(&p->y, &q->y)) return false; /* p == -q */
    fe_sqr(&t, &p->x);
    fe_dbl(num, &t);
    fe_add(num, num, &t);
    return true;
}

/* r = p + q given inv = 1 / pair_den(p, q); r may alias p or q.
 * lambda = (y2 - y1) / (x2 - x1), or 3 x1^2 / (2 y1) when doubling;
 * x3 = lambda^2 - x1 - x2, y3 = lambda (x1 - x3) - y1. */
static inline void MSM_FN(pair_add)(AFF *r, const AFF *p, const AFF *q, const FE *inv)
{
    FE l, t, x3;
    if (CFN(aff_is_inf)(p)) {
        *r = *q;
        return;
    }
    if (CFN(aff_is_inf)(q)) {
        *r = *p;
        return;
    }
    if (fe_eq(&p->x, &q->x)) {
        if (!fe_eq(&p->y, &q->y)) { /* p == -q */
            memset(r, 0, sizeof *r);
            return;
        }
        fe_sqr(&t, &p->x);
        fe_dbl(&l, &t);
        fe_add(&t, &l, &t);
        fe_mul(&l, &t, inv);
    } else {
        fe_sub(&t, &q->y, &p->y);
        fe_mul(&l, &t, inv);
    }
    fe_sqr(&x3, &l);
    fe_sub(&x3, &x3, &p->x);
    fe_sub(&x3, &x3, &q->x);
    fe_sub(&t, &p->x, &x3);
    fe_mul(&t, &l, &t);
    fe_sub(&r->y, &t, &p->y);
    r->x = x3;
}

/*
 * One round of reduce(): every active bucket's points are added pairwise (pair t of bucket
 * b: q[2 t] += q[2 t + 1]), all the pairs sharing one inversion (Montgomery's trick).
 * den, pre, nrm: room for the pairs of the round (nrm only with MSM_NORM).
 */
static inline void MSM_FN(round)(AFF *pts, const uint32_t *cnt, const uint32_t *start,
                                 const uint32_t *active, size_t na, FE *den, MSM_PRE *pre,
                                 MSM_PRE *nrm)
{
#ifndef MSM_NORM
    (void)nrm;
#endif
#ifdef MSM_NORM
    NM acc = NM_ONE, inv, ni;
#else
    FE acc = FE_ONE, inv;
#endif
    FE di;
    size_t np = 0;
    for (size_t a = 0; a < na; a++) {
        AFF *q = &pts[start[active[a]]];
        size_t h = cnt[active[a]] / 2;
        for (size_t t = 0; t < h; t++, np++) {
            MSM_FN(pair_den)(&den[np], &q[2 * t], &q[2 * t + 1]);
            pre[np] = acc;
#ifdef MSM_NORM
            MSM_NORM(&nrm[np], &den[np]);
            nm_mul(&acc, &acc, &nrm[np]);
#else
            fe_mul(&acc, &acc, &den[np]);
#endif
        }
    }
#ifdef MSM_NORM
    nm_inv_var(&inv, &acc);
#else
    fe_inv_var(&inv, &acc);
#endif
    for (size_t a = na; a-- > 0;) {
        AFF *q = &pts[start[active[a]]];
        size_t h = cnt[active[a]] / 2;
        for (size_t t = h; t-- > 0;) {
            np--;
#ifdef MSM_NORM
            nm_mul(&ni, &inv, &pre[np]); /* 1 / N(den[np]) */
            nm_mul(&inv, &inv, &nrm[np]);
            MSM_NORM_INV(&di, &den[np], &ni); /* conj(den) / N(den) */
#else
            fe_mul(&di, &inv, &pre[np]);  /* 1 / den[np] */
            fe_mul(&inv, &inv, &den[np]); /* 1 / (den[0] ... den[np-1]) */
#endif
            MSM_FN(pair_add)(&q[2 * t], &q[2 * t], &q[2 * t + 1], &di);
        }
    }
}

/*
 * Reduces every bucket of pts (bucket b: cnt[b] points from pts[start[b]]) to one point,
 * pairwise: in each round every bucket of m >= 2 points becomes ceil(m/2). active[0..na):
 * the buckets with cnt >= 2 (the list is overwritten). den, pre, nrm: room for the pairs of
 * a round (nrm only with MSM_NORM). With MSM_ROUND_LANES(pts, cnt, start, active, na, den,
 * pre, nrm) defined, a round goes to it first; it returns false when it cannot run (the CPU
 * lacks its instructions), and round() does the work.
 */
static inline void MSM_FN(reduce)(AFF *pts, uint32_t *cnt, const uint32_t *start, uint32_t *active,
                                  size_t na, FE *den, MSM_PRE *pre, MSM_PRE *nrm)
{
    while (na > 0) {
        size_t nna = 0;
#ifdef MSM_ROUND_LANES
        if (!MSM_ROUND_LANES(pts, cnt, start, active, na, den, pre, nrm))
#endif
            MSM_FN(round)(pts, cnt, start, active, na, den, pre, nrm);
        for (size_t a = 0; a < na; a++) {
            size_t b = active[a], m = cnt[b], h = m / 2;
            AFF *q = &pts[start[b]];
            for (size_t t = 1; t < h; t++) q[t] = q[2 * t];
            if (m & 1) q[h] = q[m - 1];
            cnt[b] = (uint32_t)(h + (m & 1));
            if (cnt[b] >= 2) active[nna++] = (uint32_t)b;
        }
        na = nna;
    }
}

/* sum over j < m of (j + 1) v[j] (v[j] present when cnt[j] != 0, the point at
 * pts[start[j]]), as the sum of the running sums from the top. */
static inline void MSM_FN(running)(JAC *out, const AFF *pts, const uint32_t *cnt,
                                   const uint32_t *start, size_t m)
{
    JAC run, sum;
    CFN(set_inf)(&run);
    CFN(set_inf)(&sum);
    for (size_t j = m; j-- > 0;) {
        if (cnt[j] != 0) CFN(add_aff)(&run, &run, &pts[start[j]]);
        if (!CFN(is_inf)(&run)) CFN(add)(&sum, &sum, &run);
    }
    *out = sum;
}

/*
 * out = sum_b (b + 1) B_b over the nb = 2^(c-1) buckets (B_b = bk[b] where has[b]; nb >= 16).
 * With b = hi S + lo, S = 2^floor((c-1)/2), T = nb / S:
 *   sum_b (b + 1) B_b = sum_lo (lo + 1) G_lo + S sum_hi hi R_hi,
 * G_lo = sum_hi B_{hi S + lo} (the columns), R_hi = sum_lo B_{hi S + lo} (the rows). The
 * 2 nb additions that make the rows and the columns are batch-affine (reduce, about 6
 * multiplications each); only S + T sums go through the Jacobian running sums (about 27
 * multiplications each) instead of nb. pts: 2 nb slots; cnt, start, active: S + T <= nb
 * entries; den, pre, nrm: nb pairs.
 */
static inline void MSM_FN(weigh)(JAC *out, const AFF *bk, const uint8_t *has, unsigned c, AFF *pts,
                                 uint32_t *cnt, uint32_t *start, uint32_t *active, FE *den,
                                 MSM_PRE *pre, MSM_PRE *nrm)
{
    const size_t nb = (size_t)1 << (c - 1), S = (size_t)1 << ((c - 1) / 2), T = nb / S;
    size_t off = 0, na = 0;
    JAC rows;

    /* group lo < S: column lo; group S + hi: row hi */
    memset(cnt, 0, (S + T) * sizeof *cnt);
    for (size_t b = 0; b < nb; b++)
        if (has[b]) {
            cnt[b % S]++;
            cnt[S + b / S]++;
        }
    for (size_t g = 0; g < S + T; g++) {
        start[g] = (uint32_t)off;
        active[g] = (uint32_t)off; /* fill cursor */
        off += cnt[g];
    }
    for (size_t b = 0; b < nb; b++)
        if (has[b]) {
            pts[active[b % S]++] = bk[b];
            pts[active[S + b / S]++] = bk[b];
        }
    for (size_t g = 0; g < S + T; g++)
        if (cnt[g] >= 2) active[na++] = (uint32_t)g;
    MSM_FN(reduce)(pts, cnt, start, active, na, den, pre, nrm);

    MSM_FN(running)(out, pts, cnt, start, S); /* sum_lo (lo + 1) G_lo */
    /* sum_hi hi R_hi = sum over hi' = hi - 1 < T - 1 of (hi' + 1) R_{hi' + 1} */
    MSM_FN(running)(&rows, pts, cnt + S + 1, start + S + 1, T - 1);
    if (!CFN(is_inf)(&rows)) {
        for (size_t s = 1; s < S; s <<= 1) CFN(dbl)(&rows, &rows);
        CFN(add)(out, out, &rows);
    }
}

/*
 * out = sum over i of d_ij * p[i], where d_ij = booth_digit(k[i], j, c) is the signed
 * digit of window j, weighted by 1 (the caller combines windows with tacit__*_combine).
 * Infinity points are skipped. scratch: MSM_FN(scratch_bytes)(n, c, chunk) bytes.
 *
 * The points go through in chunks of `chunk` (segmented bucket accumulation): the nb
 * buckets are kept as affine points across chunks; each chunk sorts its points into the
 * buckets it touches (a bucket's current value first), reduces them pairwise (reduce),
 * and writes the touched buckets back. The per-chunk working set then stays in the L2
 * cache instead of streaming the whole window through memory.
 */
static inline void MSM_FN(window)(JAC *out, const AFF *p, const uint64_t (*k)[4], size_t n,
                                  unsigned c, unsigned j, size_t chunk, void *scratch)
{
    const size_t nb = (size_t)1 << (c - 1), ch = n < chunk ? n : chunk;
    const size_t slots = MSM_FN(slots)(nb, ch), npair = ch > nb ? ch : nb;
    AFF *bk = scratch, *pts = bk + nb;
    FE *den = (FE *)(pts + slots);
    MSM_PRE *pre = (MSM_PRE *)(den + npair), *nrm = pre + (MSM_NPRE - 1) * npair;
    int32_t *dig = (int32_t *)(pre + MSM_NPRE * npair);
    uint32_t *cnt = (uint32_t *)(dig + ch), *start = cnt + nb, *active = start + nb;
    uint8_t *has = (uint8_t *)(active + nb);

    memset(has, 0, nb);
    for (size_t s = 0; s < n; s += ch) {
        size_t m = n - s < ch ? n - s : ch, na = 0, off = 0;
        const AFF *pc = p + s;
        const uint64_t(*kc)[4] = k + s;

        memset(cnt, 0, nb * sizeof *cnt);
        for (size_t i = 0; i < m; i++) {
            int d = booth_digit(kc[i], j, c);
            if (d != 0 && CFN(aff_is_inf)(&pc[i])) d = 0;
            dig[i] = d;
            if (d != 0) cnt[(d > 0 ? d : -d) - 1]++;
        }
        for (size_t b = 0; b < nb; b++) {
            if (cnt[b] == 0) continue;
            start[b] = (uint32_t)off;
            if (has[b]) { /* the bucket's value so far goes first */
                pts[off] = bk[b];
                cnt[b]++;
            }
            active[b] = (uint32_t)(off + has[b]); /* fill cursor */
            off += cnt[b];
        }
        for (size_t i = 0; i < m; i++) {
            int d = dig[i];
            if (d == 0) continue;
            AFF *q = &pts[active[(d > 0 ? d : -d) - 1]++];
            q->x = pc[i].x; /* negate from the source: no read back of the fresh copy */
            if (d < 0)
                fe_neg(&q->y, &pc[i].y);
            else
                q->y = pc[i].y;
        }
        for (size_t b = 0; b < nb; b++)
            if (cnt[b] >= 2) active[na++] = (uint32_t)b;
        MSM_FN(reduce)(pts, cnt, start, active, na, den, pre, nrm);
        for (size_t b = 0; b < nb; b++) {
            if (cnt[b] == 0) continue;
            bk[b] = pts[start[b]];
            has[b] = 1;
        }
    }

    if (nb >= 16) {
        MSM_FN(weigh)(out, bk, has, c, pts, cnt, start, active, den, pre, nrm);
        return;
    }
    /* few buckets: sum_b (b + 1) bk[b] through the running sums alone */
    for (size_t b = 0; b < nb; b++) {
        cnt[b] = has[b];
        start[b] = (uint32_t)b;
    }
    MSM_FN(running)(out, bk, cnt, start, nb);
}

/* r = sum_j 2^(c j) w[j] (Horner from the top window). */
static inline void MSM_FN(combine)(JAC *r, const JAC *w, unsigned nwin, unsigned c)
{
    JAC acc;
    CFN(set_inf)(&acc);
    for (unsigned j = nwin; j-- > 0;) {
        if (!CFN(is_inf)(&acc))
            for (unsigned s = 0; s < c; s++) CFN(dbl)(&acc, &acc);
        CFN(add)(&acc, &acc, &w[j]);
    }
    *r = acc;
}

#define MSM_JAC_MAX_C 9 /* 256 Jacobian buckets on the stack */

/* Whole MSM, Jacobian buckets, no heap; bits is the longest scalar's length (> 0). */
static inline void MSM_FN(pippenger_jac)(JAC *r, const AFF *p, const uint64_t (*k)[4], size_t n,
                                         unsigned bits)
{
    JAC bucket[1u << (MSM_JAC_MAX_C - 1)], acc, run, sum;
    unsigned c = 2, windows, nb;
    double best = 0;

    /* window minimising windows * (mixed additions + bucket sums), as g1.c */
    for (unsigned w = 2; w <= MSM_JAC_MAX_C; w++) {
        double cost = (double)(bits / w + 1) * (11.0 * (double)n + 16.0 * (double)(1u << w));
        if (w == 2 || cost < best) {
            best = cost;
            c = w;
        }
    }
    windows = bits / c + 1;
    nb = 1u << (c - 1);
    CFN(set_inf)(&acc);
    for (unsigned j = windows; j-- > 0;) {
        int top = -1;
        for (unsigned s = 0; s < c; s++) CFN(dbl)(&acc, &acc);
        for (unsigned b = 0; b < nb; b++) CFN(set_inf)(&bucket[b]);
        for (size_t i = 0; i < n; i++) {
            int d = booth_digit(k[i], j, c);
            if (d == 0) continue;
            int idx = (d > 0 ? d : -d) - 1;
            if (d > 0) {
                CFN(add_aff)(&bucket[idx], &bucket[idx], &p[i]);
            } else {
                AFF t;
                CFN(aff_neg)(&t, &p[i]);
                CFN(add_aff)(&bucket[idx], &bucket[idx], &t);
            }
            if (idx > top) top = idx;
        }
        CFN(set_inf)(&run);
        CFN(set_inf)(&sum);
        for (int b = top; b >= 0; b--) {
            CFN(add)(&run, &run, &bucket[b]);
            CFN(add)(&sum, &sum, &run);
        }
        CFN(add)(&acc, &acc, &sum);
    }
    *r = acc;
}

/* ------------------------------------------------------- fixed base ---- */

/*
 * Fixed-base multiplication for the devnet setup, constant time in the scalar: 64 windows
 * of 4 bits, each with the 16 multiples d 16^w B stored in projective form (Z = 1, and
 * (0 : 1 : 0) for d = 0), read with the constant-time lookup of curve_impl.h and added
 * with the complete formulas of Renes-Costello-Batina: 63 additions, no doubling, the
 * same sequence of operations for every scalar (the classic comb of Brickell, Gordon,
 * McCurley, Wilson, "Fast exponentiation with precomputation", EUROCRYPT 1992).
 */
static inline void MSM_FN(fixed_init)(JAC tab[64][16], const AFF *base)
{
    JAC p, m[15];
    AFF a[15];
    CFN(from_aff)(&p, base);
    for (int w = 0; w < 64; w++) {
        m[0] = p;
        for (int d = 1; d < 15; d++) CFN(add)(&m[d], &m[d - 1], &p);
        CFN(batch_to_aff_var)(a, m, 15);
        tab[w][0].x = FE_ZERO;
        tab[w][0].y = FE_ONE;
        tab[w][0].z = FE_ZERO;
        for (int d = 1; d < 16; d++) {
            tab[w][d].x = a[d - 1].x;
            tab[w][d].y = a[d - 1].y;
            tab[w][d].z = FE_ONE;
        }
        for (int s = 0; s < 4; s++) CFN(dbl)(&p, &p);
    }
}

/* out[i] = k[i] B (affine, (0,0) for infinity) for n <= FIXED_CHUNK scalars. */
#define FIXED_CHUNK 128
static inline void MSM_FN(fixed_mul)(AFF *out, const JAC tab[64][16], const uint64_t (*k)[4],
                                     size_t n)
{
    JAC r[FIXED_CHUNK], t;
    FE acc = FE_ONE, inv, zi, z;
    for (size_t i = 0; i < n; i++) {
        CFN(ct_lookup16)(&r[i], tab[0], scalar_bits(k[i], 4, 0, 4));
        for (unsigned w = 1; w < 64; w++) {
            CFN(ct_lookup16)(&t, tab[w], scalar_bits(k[i], 4, 4 * w, 4));
            CFN(proj_add)(&r[i], &r[i], &t);
        }
    }
    /* x = X/Z, y = Y/Z with one constant-time inversion (Montgomery's trick); Z = 0
     * (infinity) is replaced by 1 in the product and its output masked to (0, 0). */
    for (size_t i = 0; i < n; i++) {
        z = r[i].z;
        fe_cmov(&z, &FE_ONE, fe_zero_mask(&r[i].z));
        out[i].x = acc;
        fe_mul(&acc, &acc, &z);
    }
    fe_inv(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        uint64_t inf = fe_zero_mask(&r[i].z);
        z = r[i].z;
        fe_cmov(&z, &FE_ONE, inf);
        fe_mul(&zi, &inv, &out[i].x);
        fe_mul(&inv, &inv, &z);
        fe_mul(&out[i].x, &r[i].x, &zi);
        fe_mul(&out[i].y, &r[i].y, &zi);
        fe_cmov(&out[i].x, &FE_ZERO, inf);
        fe_cmov(&out[i].y, &FE_ZERO, inf);
    }
}

#undef MSM_JAC_MAX_C
#undef MSM_PRE
#undef MSM_NPRE
#undef MSM_FN
#undef CFN
#undef JAC
#undef AFF
#undef FE
#undef fe_add
#undef fe_sub
#undef fe_dbl
#undef fe_neg
#undef fe_mul
#undef fe_sqr
#undef fe_eq
#undef fe_inv_var
#undef FE_ONE
#undef MSM_NORM
#undef MSM_ROUND_LANES
#undef MSM_NORM_INV
#undef NM
#undef nm_mul
#undef nm_inv_var
#undef NM_ONE
#undef fe_inv
#undef fe_cmov
#undef fe_zero_mask
#undef FE_ZERO
