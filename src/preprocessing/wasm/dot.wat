;; dot(a, b, n): sum_{t<n} A[t] * B[t] over float64 arrays at byte offsets a and b of the exported memory,
;; with four f64x2 accumulators (8 products per iteration). This is the readable source of the module whose bytes
;; dotKernel.ts inlines as base64 (DOT_WASM_BASE64); nothing builds it (wabt is not a dependency of this project).
;; After changing it, regenerate those bytes with wat2wasm from wabt (https://github.com/WebAssembly/wabt), e.g.
;; `wat2wasm dot.wat -o dot.wasm && base64 -w0 dot.wasm`, and paste the output into DOT_WASM_BASE64.
(module
  (memory (export "memory") 1)
  (func (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $end8 i32) (local $end i32) (local $s f64)
    ;; byte offset where the 8-wide loop stops: a + (n & ~7) * 8
    (local.set $end8 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 3))))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 3))))
    (block $done8
      (loop $l8
        (br_if $done8 (i32.ge_u (local.get $a) (local.get $end8)))
        (local.set $acc0 (f64x2.add (local.get $acc0)
          (f64x2.mul (v128.load offset=0 (local.get $a)) (v128.load offset=0 (local.get $b)))))
        (local.set $acc1 (f64x2.add (local.get $acc1)
          (f64x2.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $acc2 (f64x2.add (local.get $acc2)
          (f64x2.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
        (local.set $acc3 (f64x2.add (local.get $acc3)
          (f64x2.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (br $l8)))
    (local.set $acc0 (f64x2.add (f64x2.add (local.get $acc0) (local.get $acc1))
                                (f64x2.add (local.get $acc2) (local.get $acc3))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $l1)))
    (local.get $s)))
