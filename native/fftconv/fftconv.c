/*
 * Overlap-save FFT convolution for the portable engine tier (compiled to WebAssembly SIMD by
 * scripts/build-fftconv.mjs; the bytes are inlined in fftconvWasm.ts). No libc, no data segments, no shadow
 * stack: every buffer is a pointer into the shared linear memory handed in by fftconv.ts, so several instances
 * (one per thread) can run on the same memory.
 *
 * A 1-D 'same'/'valid' stride-1 convolution of the paper's network (tfjs conv1d = cross-correlation),
 *   y[b, t, co] = sum_k sum_ci x[b, t + k - padLeft, ci] w[k, ci, co],
 * is computed per tile of H = N - K + 1 outputs: the input segment of N samples is transformed (radix-2 FFT of
 * length N, vectorised over channels; two real tiles share one complex FFT), multiplied per frequency bin by the
 * filter's spectrum (a complex matrix product over channels, 3 real products per complex one), transformed back,
 * and the H samples that the circular correlation does not wrap are kept. The backward passes are the same
 * machinery: the input gradient is a convolution of dy with the filter (spectrum not conjugated, kept samples
 * shifted by K - 1), the filter gradient accumulates S_f conj(D_f) over all tiles and inverts K taps.
 *
 * Layouts (floats): signals channels-last [B][L][C]; filters [K][Cin][Cout] (tfjs [1, K, Cin, Cout]);
 * per-bin operands with three planes (re, im, re + im) for the 3-multiplication complex product:
 *   S[f][row][3][c] (transformed tiles), G[f][c1][3][c2] (filter spectra), Y[f][row][2][c] (products).
 * All channel counts are multiples of FC_LANES (4 in WebAssembly).
 */
/* Lanes per vector: 4 (WebAssembly SIMD128); the native addon (native/dnnl) compiles this file with 8 or 16. */
#ifndef FC_LANES
#define FC_LANES 4
#endif
#define VL FC_LANES
typedef float v4 __attribute__((vector_size(FC_LANES * 4), aligned(4)));
/* Pointer-sized parameter words (32-bit in wasm32, 64-bit natively). */
typedef __INTPTR_TYPE__ fc_word;

#define V(p) (*(v4 *)(p))

static inline v4 splat(float x) {
  v4 z = {0};
  return z + x;
}

/* Parameter block (fc_word words) shared by every entry point. */
enum {
  P_B, P_LA, P_CA, P_LO, P_CB, P_N, P_LOG2N, P_H, P_T, P_OFF, P_KEEP0, P_CHUNK_ROWS,
  P_A, P_G, P_OUT, P_SCRATCH, P_SCRATCH_BYTES, P_COS, P_SIN, P_NMAX,
  P_D, P_ACC, P_ACC_BYTES, P_K, P_W, P_MODE, P_DVALID, P_NTHREADS, P_ACC_THREADS, P_COUNT
};

/*
 * Buffer sizes in floats for the scalar words of p (fftConvJob in fftconv.ts computes the same; the native addon
 * allocates with these; unused in the wasm build): filter spectra G (forward and input gradient), one thread's
 * filter-gradient accumulator, one thread's scratch (zr, zi, then the per-bin buffers of a chunk: S and Y, or S and
 * D for the filter gradient).
 */
static inline __attribute__((unused)) fc_word fc_spectra_floats(const fc_word *p) {
  return (p[P_N] / 2 + 1) * p[P_CA] * 3 * p[P_CB];
}
static inline __attribute__((unused)) fc_word fc_acc_floats(const fc_word *p) { return fc_spectra_floats(p); }
static inline __attribute__((unused)) fc_word fc_scratch_floats(const fc_word *p, int filterGrad) {
  fc_word n = p[P_N], Ca = p[P_CA], Cb = p[P_CB], Cm = Ca > Cb ? Ca : Cb;
  return 2 * n * Cm + p[P_CHUNK_ROWS] * (n / 2 + 1) * (filterGrad ? 3 * (Ca + Cb) : 3 * Ca + 2 * Cb);
}

static unsigned rev_bits(unsigned x, int bits) {
  unsigned r = 0;
  for (int i = 0; i < bits; i++) {
    r = (r << 1) | (x & 1u);
    x >>= 1;
  }
  return r;
}

/* In-place radix-2 DIT FFT of z (bit-reversed order in, natural order out), C channels per point. */
static void fft_stages(float *zr, float *zi, int n, int c, const float *cosT, const float *sinT, int nmax,
                       float sign) {
  for (int half = 1; half < n; half <<= 1) {
    int tstep = nmax / (2 * half);
    for (int k = 0; k < half; k++) {
      float wr = cosT[k * tstep];
      float wi = sign * sinT[k * tstep];
      v4 vwr = splat(wr), vwi = splat(wi);
      for (int s = k; s < n; s += 2 * half) {
        float *ar = zr + s * c, *ai = zi + s * c;
        float *br = zr + (s + half) * c, *bi = zi + (s + half) * c;
        if (k == 0) {
          for (int q = 0; q < c; q += VL) {
            v4 ur = V(ar + q), ui = V(ai + q), xr = V(br + q), xi = V(bi + q);
            V(ar + q) = ur + xr;
            V(ai + q) = ui + xi;
            V(br + q) = ur - xr;
            V(bi + q) = ui - xi;
          }
        } else {
          for (int q = 0; q < c; q += VL) {
            v4 xr = V(br + q), xi = V(bi + q);
            v4 tr = xr * vwr - xi * vwi;
            v4 ti = xr * vwi + xi * vwr;
            v4 ur = V(ar + q), ui = V(ai + q);
            V(ar + q) = ur + tr;
            V(ai + q) = ui + ti;
            V(br + q) = ur - tr;
            V(bi + q) = ui - ti;
          }
        }
      }
    }
  }
}

/*
 * Loads the tiles of rows r0 and r0 + 1 (row = b * T + j) of signal a[B][La][C] as the real and imaginary parts
 * of z (bit-reversed): tile sample n is a[b][j * H + off + n] for n < valid, zero elsewhere or outside [0, La).
 */
static void load_pair(const float *a, int r0, int rows, int T, int H, int off, int valid, int La, int C, int n,
                      int log2n, float *zr, float *zi) {
  for (int part = 0; part < 2; part++) {
    int r = r0 + part;
    float *z = part ? zi : zr;
    int b = r / T, j = r % T;
    const float *base = a + (long)b * La * C;
    for (int s = 0; s < n; s++) {
      float *dst = z + rev_bits((unsigned)s, log2n) * C;
      int t = j * H + off + s;
      if (r < rows && s < valid && t >= 0 && t < La) {
        const float *src = base + (long)t * C;
        for (int q = 0; q < C; q += VL) V(dst + q) = V(src + q);
      } else {
        for (int q = 0; q < C; q += VL) V(dst + q) = splat(0.f);
      }
    }
  }
}

/*
 * Splits the complex FFT z of two real tiles into their half spectra, written as three planes (re, im, re + im)
 * for local rows lr and lr + 1 into S[f][row][3][C].
 * conj negates the imaginary part (for S conj(D) products).
 */
static void split_pair(const float *zr, const float *zi, int n, int C, float *S, int chunkRows, int lr, int conj) {
  int F = n / 2 + 1;
  v4 h = splat(0.5f), hi = splat(conj ? -0.5f : 0.5f);
  for (int f = 0; f < F; f++) {
    int g = (n - f) & (n - 1);
    const float *ar = zr + f * C, *ai = zi + f * C, *cr = zr + g * C, *ci = zi + g * C;
    float *s0 = S + ((long)f * chunkRows + lr) * C * 3;
    float *s1 = s0 + C * 3;
    for (int q = 0; q < C; q += VL) {
      v4 xr = V(ar + q), xi = V(ai + q), yr = V(cr + q), yi = V(ci + q);
      v4 re0 = (xr + yr) * h, im0 = (xi - yi) * hi;
      v4 re1 = (xi + yi) * h, im1 = (yr - xr) * hi;
      v4 p0 = re0 + im0, p1 = re1 + im1;
      V(s0 + q) = re0;
      V(s0 + C + q) = im0;
      V(s0 + 2 * C + q) = p0;
      V(s1 + q) = re1;
      V(s1 + C + q) = im1;
      V(s1 + 2 * C + q) = p1;
    }
  }
}

/*
 * Y[f][row][2][Cb] = S[f][row][:] x G[f][:][Cb] for the rows of one chunk (complex, 3 real products):
 * re = P1 - P2, im = P3 - P1 - P2 with P1 = sum Sre Gre, P2 = sum Sim Gim, P3 = sum (Sre + Sim)(Gre + Gim).
 */
static void bin_products(const float *S, const float *G, float *Y, int F, int rows, int chunkRows, int Ca, int Cb) {
  for (int f = 0; f < F; f++) {
    const float *Sf = S + (long)f * chunkRows * Ca * 3;
    const float *Gf = G + (long)f * Ca * 3 * Cb;
    float *Yf = Y + (long)f * chunkRows * 2 * Cb;
    for (int r = 0; r < rows; r += 4) {
      const float *s0 = Sf + (long)r * Ca * 3;
      const float *s1 = s0 + Ca * 3, *s2 = s1 + Ca * 3, *s3 = s2 + Ca * 3; /* rows are 3 * Ca apart */
      for (int cb = 0; cb < Cb; cb += VL) {
        v4 a0 = splat(0.f), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0;
        v4 c0 = a0, c1 = a0, c2 = a0, d0 = a0, d1 = a0, d2 = a0;
        const float *g = Gf + cb;
        for (int ca = 0; ca < Ca; ca++) {
          v4 gr = V(g), gi = V(g + Cb), gs = V(g + 2 * Cb);
          g += 3 * Cb;
          a0 += splat(s0[ca]) * gr;
          a1 += splat(s0[Ca + ca]) * gi;
          a2 += splat(s0[2 * Ca + ca]) * gs;
          b0 += splat(s1[ca]) * gr;
          b1 += splat(s1[Ca + ca]) * gi;
          b2 += splat(s1[2 * Ca + ca]) * gs;
          c0 += splat(s2[ca]) * gr;
          c1 += splat(s2[Ca + ca]) * gi;
          c2 += splat(s2[2 * Ca + ca]) * gs;
          d0 += splat(s3[ca]) * gr;
          d1 += splat(s3[Ca + ca]) * gi;
          d2 += splat(s3[2 * Ca + ca]) * gs;
        }
        float *y = Yf + (long)r * 2 * Cb + cb;
        V(y) = a0 - a1;
        V(y + Cb) = a2 - a0 - a1;
        y += 2 * Cb;
        V(y) = b0 - b1;
        V(y + Cb) = b2 - b0 - b1;
        y += 2 * Cb;
        V(y) = c0 - c1;
        V(y + Cb) = c2 - c0 - c1;
        y += 2 * Cb;
        V(y) = d0 - d1;
        V(y + Cb) = d2 - d0 - d1;
      }
    }
  }
}

/*
 * Inverse transform of the products of local rows lr, lr + 1 (global r0, r0 + 1) and store of the kept samples
 * n in [keep0, keep0 + H) at out[b][j * H + n - keep0][c] (when < Lo), scaled by 1/N.
 */
static void inverse_pair(const float *Y, int F, int chunkRows, int lr, int r0, int rows, int T, int H, int keep0,
                         int Lo, int C, int n, int log2n, float *zr, float *zi, const float *cosT, const float *sinT,
                         int nmax, float *out) {
  for (int f = 0; f < F; f++) {
    const float *y0 = Y + ((long)f * chunkRows + lr) * 2 * C;
    const float *y1 = y0 + 2 * C;
    float *pr = zr + rev_bits((unsigned)f, log2n) * C, *pi = zi + rev_bits((unsigned)f, log2n) * C;
    int g = (n - f) & (n - 1);
    float *qr = zr + rev_bits((unsigned)g, log2n) * C, *qi = zi + rev_bits((unsigned)g, log2n) * C;
    for (int q = 0; q < C; q += VL) {
      v4 a = V(y0 + q), b = V(y0 + C + q), c = V(y1 + q), d = V(y1 + C + q);
      V(pr + q) = a - d;
      V(pi + q) = b + c;
      if (f != 0 && f != n / 2) {
        V(qr + q) = a + d;
        V(qi + q) = c - b;
      }
    }
  }
  fft_stages(zr, zi, n, C, cosT, sinT, nmax, 1.f);
  v4 sc = splat(1.f / (float)n);
  for (int part = 0; part < 2; part++) {
    int r = r0 + part;
    if (r >= rows) break;
    const float *z = part ? zi : zr;
    int b = r / T, j = r % T;
    float *base = out + (long)b * Lo * C;
    for (int m = 0; m < H; m++) {
      int t = j * H + m;
      if (t >= Lo) break;
      const float *src = z + (keep0 + m) * C;
      float *dst = base + (long)t * C;
      for (int q = 0; q < C; q += VL) V(dst + q) = V(src + q) * sc;
    }
  }
}

/*
 * The tiling of a convolution or filter-gradient call for thread tid: the scalar parameters, and this thread's
 * scratch carved into zr, zi (N x max(Ca, Cb) each), S (F x chunkRows x 3Ca, the tiles of a) and P (the products
 * Y, F x chunkRows x 2Cb, or the tiles of dy D, F x chunkRows x 3Cb). Rows (b, tile) go to threads in chunks
 * ch = tid, tid + nthreads, ... Inlined (a struct in registers: the wasm build must not use the shadow stack).
 */
typedef struct {
  int B, La, Ca, Lo, Cb, n, log2n, H, T, off, chunkRows, nthreads, nmax, F, rows, chunks;
  const float *cosT, *sinT;
  float *zr, *zi, *S, *P;
} fc_tiling;

static inline __attribute__((always_inline)) fc_tiling tiling(int tid, const fc_word *p) {
  fc_tiling t;
  t.B = p[P_B], t.La = p[P_LA], t.Ca = p[P_CA], t.Lo = p[P_LO], t.Cb = p[P_CB], t.n = p[P_N];
  t.log2n = p[P_LOG2N], t.H = p[P_H], t.T = p[P_T], t.off = p[P_OFF], t.chunkRows = p[P_CHUNK_ROWS];
  t.nthreads = p[P_NTHREADS], t.nmax = p[P_NMAX];
  t.cosT = (const float *)p[P_COS], t.sinT = (const float *)p[P_SIN];
  t.F = t.n / 2 + 1;
  int Cm = t.Ca > t.Cb ? t.Ca : t.Cb;
  t.zr = (float *)((char *)p[P_SCRATCH] + (long)tid * p[P_SCRATCH_BYTES]);
  t.zi = t.zr + t.n * Cm;
  t.S = t.zi + t.n * Cm;
  t.P = t.S + (long)t.F * t.chunkRows * t.Ca * 3;
  t.rows = t.B * t.T;
  t.chunks = (t.rows + t.chunkRows - 1) / t.chunkRows;
  return t;
}

/* Rows in the chunk starting at row r0 (chunkRows, or fewer in the last one). */
static inline __attribute__((always_inline)) int chunk_rows(const fc_tiling *t, int r0) {
  return t->rows - r0 < t->chunkRows ? t->rows - r0 : t->chunkRows;
}

/*
 * Convolution through filter spectra: out[b][t][Cb] for rows (b, tile) split between threads in chunks.
 * Forward: a = x, G = conj(DFT(w)), off = -padLeft, keep0 = 0. Input gradient: a = dy, G = DFT(w) transposed,
 * off = padLeft - (K - 1), keep0 = K - 1.
 */
void fc_convolve(int tid, const fc_word *p) {
  fc_tiling t = tiling(tid, p);
  int keep0 = p[P_KEEP0];
  const float *a = (const float *)p[P_A], *G = (const float *)p[P_G];
  float *out = (float *)p[P_OUT];
  for (int ch = tid; ch < t.chunks; ch += t.nthreads) {
    int r0 = ch * t.chunkRows;
    int cr = chunk_rows(&t, r0);
    int crPad = (cr + 3) & ~3; /* bin_products works in blocks of 4 rows */
    for (int lr = 0; lr < crPad; lr += 2) {
      load_pair(a, r0 + lr, t.rows, t.T, t.H, t.off, t.n, t.La, t.Ca, t.n, t.log2n, t.zr, t.zi);
      fft_stages(t.zr, t.zi, t.n, t.Ca, t.cosT, t.sinT, t.nmax, -1.f);
      split_pair(t.zr, t.zi, t.n, t.Ca, t.S, t.chunkRows, lr, 0);
    }
    bin_products(t.S, G, t.P, t.F, crPad, t.chunkRows, t.Ca, t.Cb);
    for (int lr = 0; lr < cr; lr += 2)
      inverse_pair(t.P, t.F, t.chunkRows, lr, r0 + lr, t.rows, t.T, t.H, keep0, t.Lo, t.Cb, t.n, t.log2n, t.zr, t.zi,
                   t.cosT, t.sinT, t.nmax, out);
  }
}

/*
 * Filter spectra G[f][c1][3][c2] from w[K][Cin][Cout] for bins f = tid, tid + nthreads, ...:
 * mode 0 (forward): c1 = ci, c2 = co, G = conj(W_f) = sum_k w cos + i sum_k w sin;
 * mode 1 (input gradient): c1 = co, c2 = ci, G = W_f = sum_k w cos - i sum_k w sin.
 * The filter element (k, c1, c2) is w[k][c1][c2] in mode 0 and w[k][c2][c1] in mode 1; there, for each c1 the
 * thread first gathers the taps w[k][:][c1] into its scratch as rows wt[k][c2], so that both modes read contiguous
 * vectors in the bin loop. (Same arithmetic, in the same order, as one gather per bin.)
 */
void fc_spectra(int tid, const fc_word *p) {
  int K = p[P_K], n = p[P_N], nmax = p[P_NMAX], mode = p[P_MODE], nthreads = p[P_NTHREADS];
  int C1 = p[P_CA], C2 = p[P_CB];
  const float *w = (const float *)p[P_W];
  const float *cosT = (const float *)p[P_COS], *sinT = (const float *)p[P_SIN];
  float *G = (float *)p[P_G];
  int F = n / 2 + 1;
  if (tid >= F) return;
  float sg = mode == 0 ? 1.f : -1.f;
  float *wt = (float *)((char *)p[P_SCRATCH] + (long)tid * p[P_SCRATCH_BYTES]); /* K x C2 <= 2 N max(Ca, Cb) */
  for (int c1 = 0; c1 < C1; c1++) {
    const float *wc = w + (long)c1 * C2;
    long kstride = (long)C1 * C2;
    if (mode != 0) {
      for (int k = 0; k < K; k++) {
        const float *wk = w + (long)k * C2 * C1 + c1;
        for (int c2 = 0; c2 < C2; c2++) wt[k * C2 + c2] = wk[(long)c2 * C1];
      }
      wc = wt;
      kstride = C2;
    }
    for (int f = tid; f < F; f += nthreads) {
      float *g = G + ((long)f * C1 + c1) * 3 * C2;
      for (int q = 0; q < C2; q += VL) {
        v4 re = splat(0.f), im = re;
        for (int k = 0; k < K; k++) {
          int idx = (int)(((long)f * k) & (n - 1)) * (nmax / n);
          v4 c = splat(cosT[idx]), s = splat(sg * sinT[idx]);
          v4 wv = V(wc + k * kstride + q);
          re += wv * c;
          im += wv * s;
        }
        V(g + q) = re;
        V(g + C2 + q) = im;
        V(g + 2 * C2 + q) = re + im;
      }
    }
  }
}

/*
 * Filter-gradient accumulation: for the rows of this thread, acc[f][ci][3][co] += S_f[ci] conj(D_f[co])
 * (as the three real products) with S the tiles of x (off = -padLeft, all N samples) and D those of dy
 * (off = 0, the first H samples). Each thread first zeroes its own acc (every thread 0 .. nthreads - 1 is run,
 * with or without rows); fc_filter_finish combines them.
 */
void fc_filter_accumulate(int tid, const fc_word *p) {
  fc_tiling t = tiling(tid, p);
  int dvalid = p[P_DVALID], Ca = t.Ca, Cb = t.Cb;
  const float *x = (const float *)p[P_A], *dy = (const float *)p[P_D];
  float *acc = (float *)((char *)p[P_ACC] + (long)tid * p[P_ACC_BYTES]);
  float *S = t.S, *D = t.P;
  long accFloats = (long)t.F * Ca * 3 * Cb;
  for (long i = 0; i < accFloats; i += VL) V(acc + i) = splat(0.f);
  for (int ch = tid; ch < t.chunks; ch += t.nthreads) {
    int r0 = ch * t.chunkRows;
    int cr = chunk_rows(&t, r0);
    int crPad = (cr + 1) & ~1;
    for (int lr = 0; lr < crPad; lr += 2) {
      load_pair(x, r0 + lr, t.rows, t.T, t.H, t.off, t.n, t.La, Ca, t.n, t.log2n, t.zr, t.zi);
      fft_stages(t.zr, t.zi, t.n, Ca, t.cosT, t.sinT, t.nmax, -1.f);
      split_pair(t.zr, t.zi, t.n, Ca, S, t.chunkRows, lr, 0);
      load_pair(dy, r0 + lr, t.rows, t.T, t.H, 0, dvalid, t.Lo, Cb, t.n, t.log2n, t.zr, t.zi);
      fft_stages(t.zr, t.zi, t.n, Cb, t.cosT, t.sinT, t.nmax, -1.f);
      split_pair(t.zr, t.zi, t.n, Cb, D, t.chunkRows, lr, 1);
    }
    /* acc[f][ci][p][co] += S[f][r][p][ci] D[f][r][p][co] (D conjugated). */
    for (int f = 0; f < t.F; f++) {
      const float *Sf = S + (long)f * t.chunkRows * Ca * 3;
      const float *Df = D + (long)f * t.chunkRows * Cb * 3;
      float *Af = acc + (long)f * Ca * 3 * Cb;
      for (int ci = 0; ci < Ca; ci += 4) {
        for (int co = 0; co < Cb; co += VL) {
          float *a0p = Af + (long)ci * 3 * Cb + co;
          v4 a0 = V(a0p), a1 = V(a0p + Cb), a2 = V(a0p + 2 * Cb);
          v4 b0 = V(a0p + 3 * Cb), b1 = V(a0p + 4 * Cb), b2 = V(a0p + 5 * Cb);
          v4 c0 = V(a0p + 6 * Cb), c1 = V(a0p + 7 * Cb), c2 = V(a0p + 8 * Cb);
          v4 d0 = V(a0p + 9 * Cb), d1 = V(a0p + 10 * Cb), d2 = V(a0p + 11 * Cb);
          for (int r = 0; r < crPad; r++) {
            const float *s = Sf + (long)r * 3 * Ca + ci;
            const float *d = Df + (long)r * 3 * Cb + co;
            v4 dr = V(d), di = V(d + Cb), ds = V(d + 2 * Cb);
            a0 += splat(s[0]) * dr;
            a1 += splat(s[Ca]) * di;
            a2 += splat(s[2 * Ca]) * ds;
            b0 += splat(s[1]) * dr;
            b1 += splat(s[Ca + 1]) * di;
            b2 += splat(s[2 * Ca + 1]) * ds;
            c0 += splat(s[2]) * dr;
            c1 += splat(s[Ca + 2]) * di;
            c2 += splat(s[2 * Ca + 2]) * ds;
            d0 += splat(s[3]) * dr;
            d1 += splat(s[Ca + 3]) * di;
            d2 += splat(s[2 * Ca + 3]) * ds;
          }
          V(a0p) = a0;
          V(a0p + Cb) = a1;
          V(a0p + 2 * Cb) = a2;
          V(a0p + 3 * Cb) = b0;
          V(a0p + 4 * Cb) = b1;
          V(a0p + 5 * Cb) = b2;
          V(a0p + 6 * Cb) = c0;
          V(a0p + 7 * Cb) = c1;
          V(a0p + 8 * Cb) = c2;
          V(a0p + 9 * Cb) = d0;
          V(a0p + 10 * Cb) = d1;
          V(a0p + 11 * Cb) = d2;
        }
      }
    }
  }
}

/*
 * dW[k][ci][co] = (1/N) Re IDFT(sum over threads of the accumulated spectra)[k] for k < K, input channels split
 * between threads in contiguous blocks. Per (ci, co vector, bin f) the threads' accumulators are summed once and
 * the bin's term added to all K taps (spectrum: re = P1 - P2, im = P3 - P1 - P2; taps summed over f in order).
 */
void fc_filter_finish(int tid, const fc_word *p) {
  int Ca = p[P_CA], Cb = p[P_CB], n = p[P_N], K = p[P_K], nmax = p[P_NMAX], nthreads = p[P_NTHREADS];
  int accThreads = p[P_ACC_THREADS];
  const float *cosT = (const float *)p[P_COS], *sinT = (const float *)p[P_SIN];
  float *dw = (float *)p[P_OUT];
  int F = n / 2 + 1;
  v4 inv = splat(1.f / (float)n);
  int ci0 = (int)((long)Ca * tid / nthreads), ci1 = (int)((long)Ca * (tid + 1) / nthreads);
  for (int ci = ci0; ci < ci1; ci++) {
    for (int co = 0; co < Cb; co += VL) {
      float *d = dw + (long)ci * Cb + co; /* tap k at d + k * Ca * Cb */
      long kstride = (long)Ca * Cb;
      for (int k = 0; k < K; k++) V(d + k * kstride) = splat(0.f);
      for (int f = 0; f < F; f++) {
        v4 p1 = splat(0.f), p2 = p1, p3 = p1;
        for (int th = 0; th < accThreads; th++) {
          const float *a = (const float *)((const char *)p[P_ACC] + (long)th * p[P_ACC_BYTES]) +
                           ((long)f * Ca + ci) * 3 * Cb + co;
          p1 += V(a);
          p2 += V(a + Cb);
          p3 += V(a + 2 * Cb);
        }
        v4 re = p1 - p2, im = p3 - p1 - p2;
        float wgt = (f == 0 || f == n / 2) ? 1.f : 2.f;
        for (int k = 0; k < K; k++) {
          int idx = (int)(((long)f * k) & (n - 1)) * (nmax / n);
          V(d + k * kstride) += (re * splat(cosT[idx]) - im * splat(sinT[idx])) * splat(wgt);
        }
      }
      for (int k = 0; k < K; k++) V(d + k * kstride) *= inv;
    }
  }
}
