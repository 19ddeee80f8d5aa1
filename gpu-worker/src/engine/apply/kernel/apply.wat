;; The render step's per-pixel pass in WebAssembly with 128-bit SIMD: the same arithmetic as
;; kernel/js.ts, byte for byte (test/engine/apply/kernel.test.ts holds them to that).
;; Pixels are edited in place: the caller copies the photo into memory first.
;;
;; Memory, laid out by kernel/wasm.ts: RGB pixels at 0, then the owner map and the alpha
;; map (one byte per pixel each), then one 16-byte record per owner id:
;;   kind        0 recolor, 1 tone curves, 2 tone curves with saturation, 3 texture
;;   lut         768 bytes: three 256-entry curves (texture: luma → lighting factor ×128)
;;   saturation  ×256, kind 2 only
;;   table       recolor: 256 words luma → r | g << 8 | b << 16;
;;               texture: the RGB tile, rows of TILE_STRIDE bytes (512 texels plus the
;;               row's first 16 again, so 16 texels from any column are contiguous)
;; Interior stretches (alpha 255) take 16 pixels (48 bytes, three vectors) per step;
;; feathered pixels and the last few of a stretch go one at a time.
(module
  (memory (import "env" "memory") 1)

  ;; ---- one pixel at a time ----

  ;; Same rounding as the JS kernel: (77 r + 150 g + 29 b + 128) >> 8.
  (func $luma (param $r i32) (param $g i32) (param $b i32) (result i32)
    (i32.shr_u
      (i32.add
        (i32.add (i32.mul (local.get $r) (i32.const 77)) (i32.mul (local.get $g) (i32.const 150)))
        (i32.add (i32.mul (local.get $b) (i32.const 29)) (i32.const 128)))
      (i32.const 8)))

  (func $clamp (param $v i32) (result i32)
    (select (i32.const 0)
      (select (i32.const 255) (local.get $v) (i32.gt_s (local.get $v) (i32.const 255)))
      (i32.lt_s (local.get $v) (i32.const 0))))

  (func $min255 (param $v i32) (result i32)
    (select (i32.const 255) (local.get $v) (i32.gt_u (local.get $v) (i32.const 255))))

  ;; texture: texel channel × lighting factor / 128, capped at 255; $texel is the texel's address.
  (func $textured (param $factor i32) (param $texel i32) (result i32)
    (i32.or
      (i32.or
        (call $min255 (i32.shr_u (i32.mul (i32.load8_u (local.get $texel)) (local.get $factor)) (i32.const 7)))
        (i32.shl (call $min255 (i32.shr_u (i32.mul (i32.load8_u offset=1 (local.get $texel)) (local.get $factor)) (i32.const 7))) (i32.const 8)))
      (i32.shl (call $min255 (i32.shr_u (i32.mul (i32.load8_u offset=2 (local.get $texel)) (local.get $factor)) (i32.const 7))) (i32.const 16))))

  ;; tone with saturation: luma + (channel − luma) × saturation / 256, then the curves.
  (func $saturated (param $q i32) (param $lut i32) (param $saturation i32) (result i32)
    (local $r i32) (local $g i32) (local $b i32) (local $y i32)
    (local.set $r (i32.load8_u (local.get $q)))
    (local.set $g (i32.load8_u offset=1 (local.get $q)))
    (local.set $b (i32.load8_u offset=2 (local.get $q)))
    (local.set $y (call $luma (local.get $r) (local.get $g) (local.get $b)))
    (i32.or
      (i32.or
        (i32.load8_u (i32.add (local.get $lut)
          (call $clamp (i32.add (local.get $y) (i32.shr_s (i32.mul (i32.sub (local.get $r) (local.get $y)) (local.get $saturation)) (i32.const 8))))))
        (i32.shl (i32.load8_u offset=256 (i32.add (local.get $lut)
          (call $clamp (i32.add (local.get $y) (i32.shr_s (i32.mul (i32.sub (local.get $g) (local.get $y)) (local.get $saturation)) (i32.const 8))))))
          (i32.const 8)))
      (i32.shl (i32.load8_u offset=512 (i32.add (local.get $lut)
        (call $clamp (i32.add (local.get $y) (i32.shr_s (i32.mul (i32.sub (local.get $b) (local.get $y)) (local.get $saturation)) (i32.const 8))))))
        (i32.const 16))))

  ;; The edit's colour for the pixel at byte $q, column $x, as r | g << 8 | b << 16.
  ;; For a texture, $table is the tile row's first byte.
  (func $color (param $kind i32) (param $lut i32) (param $saturation i32) (param $table i32) (param $q i32) (param $x i32) (result i32)
    (local $r i32) (local $g i32) (local $b i32)
    (local.set $r (i32.load8_u (local.get $q)))
    (local.set $g (i32.load8_u offset=1 (local.get $q)))
    (local.set $b (i32.load8_u offset=2 (local.get $q)))
    (if (i32.eqz (local.get $kind))
      (then (return (i32.load (i32.add (local.get $table) (i32.shl (call $luma (local.get $r) (local.get $g) (local.get $b)) (i32.const 2)))))))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then (return
        (i32.or
          (i32.or (i32.load8_u (i32.add (local.get $lut) (local.get $r)))
                  (i32.shl (i32.load8_u offset=256 (i32.add (local.get $lut) (local.get $g))) (i32.const 8)))
          (i32.shl (i32.load8_u offset=512 (i32.add (local.get $lut) (local.get $b))) (i32.const 16))))))
    (if (i32.eq (local.get $kind) (i32.const 2))
      (then (return (call $saturated (local.get $q) (local.get $lut) (local.get $saturation)))))
    (call $textured
      (i32.load8_u (i32.add (local.get $lut) (call $luma (local.get $r) (local.get $g) (local.get $b))))
      (i32.add (local.get $table) (i32.mul (i32.and (local.get $x) (i32.const 511)) (i32.const 3)))))

  ;; Border pixel: the edit's colour blended over the original by alpha (arithmetic shift, as in JS).
  (func $feather (param $q i32) (param $a i32) (param $rgb i32)
    (local $v i32)
    (local.set $v (i32.load8_u (local.get $q)))
    (i32.store8 (local.get $q) (i32.add (local.get $v)
      (i32.shr_s (i32.add (i32.mul (i32.sub (i32.and (local.get $rgb) (i32.const 255)) (local.get $v)) (local.get $a)) (i32.const 128)) (i32.const 8))))
    (local.set $v (i32.load8_u offset=1 (local.get $q)))
    (i32.store8 offset=1 (local.get $q) (i32.add (local.get $v)
      (i32.shr_s (i32.add (i32.mul (i32.sub (i32.and (i32.shr_u (local.get $rgb) (i32.const 8)) (i32.const 255)) (local.get $v)) (local.get $a)) (i32.const 128)) (i32.const 8))))
    (local.set $v (i32.load8_u offset=2 (local.get $q)))
    (i32.store8 offset=2 (local.get $q) (i32.add (local.get $v)
      (i32.shr_s (i32.add (i32.mul (i32.sub (i32.shr_u (local.get $rgb) (i32.const 16)) (local.get $v)) (local.get $a)) (i32.const 128)) (i32.const 8)))))

  ;; Writes a packed colour to the pixel at byte $q.
  (func $put (param $q i32) (param $rgb i32)
    (i32.store16 (local.get $q) (local.get $rgb))
    (i32.store8 offset=2 (local.get $q) (i32.shr_u (local.get $rgb) (i32.const 16))))

  ;; ---- sixteen pixels at a time ----

  ;; Luma of the 16 pixels in 48 bytes: split into r, g, b vectors, then the same integer
  ;; formula in 16-bit lanes (at most 65408, so no lane overflows).
  (func $luma16 (param $v0 v128) (param $v1 v128) (param $v2 v128) (result v128)
    (local $r v128) (local $g v128) (local $b v128)
    (local.set $r (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 17 20 23 26 29
      (i8x16.shuffle 0 3 6 9 12 15 18 21 24 27 30 0 0 0 0 0 (local.get $v0) (local.get $v1)) (local.get $v2)))
    (local.set $g (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 18 21 24 27 30
      (i8x16.shuffle 1 4 7 10 13 16 19 22 25 28 31 0 0 0 0 0 (local.get $v0) (local.get $v1)) (local.get $v2)))
    (local.set $b (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 16 19 22 25 28 31
      (i8x16.shuffle 2 5 8 11 14 17 20 23 26 29 0 0 0 0 0 0 (local.get $v0) (local.get $v1)) (local.get $v2)))
    (i8x16.narrow_i16x8_u
      (i16x8.shr_u
        (i16x8.add
          (i16x8.add
            (i16x8.extmul_low_i8x16_u (local.get $r) (v128.const i8x16 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77))
            (i16x8.extmul_low_i8x16_u (local.get $g) (v128.const i8x16 150 150 150 150 150 150 150 150 150 150 150 150 150 150 150 150)))
          (i16x8.add
            (i16x8.extmul_low_i8x16_u (local.get $b) (v128.const i8x16 29 29 29 29 29 29 29 29 29 29 29 29 29 29 29 29))
            (v128.const i16x8 128 128 128 128 128 128 128 128)))
        (i32.const 8))
      (i16x8.shr_u
        (i16x8.add
          (i16x8.add
            (i16x8.extmul_high_i8x16_u (local.get $r) (v128.const i8x16 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77))
            (i16x8.extmul_high_i8x16_u (local.get $g) (v128.const i8x16 150 150 150 150 150 150 150 150 150 150 150 150 150 150 150 150)))
          (i16x8.add
            (i16x8.extmul_high_i8x16_u (local.get $b) (v128.const i8x16 29 29 29 29 29 29 29 29 29 29 29 29 29 29 29 29))
            (v128.const i16x8 128 128 128 128 128 128 128 128)))
        (i32.const 8))))

  ;; recolor, alpha 255. Each pixel's word store also writes the next pixel's first byte,
  ;; which that pixel's own store then overwrites; the 16th pixel stores exactly 3 bytes.
  (func $lumaRun (param $q i32) (param $stop i32) (param $table i32)
    (local $y v128) (local $c i32)
    (block $done
      (loop $sixteen
        (br_if $done (i32.gt_u (i32.add (local.get $q) (i32.const 48)) (local.get $stop)))
        (local.set $y (call $luma16 (v128.load (local.get $q)) (v128.load offset=16 (local.get $q)) (v128.load offset=32 (local.get $q))))
        (i32.store offset=0 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 0 (local.get $y)) (i32.const 2)))))
        (i32.store offset=3 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 1 (local.get $y)) (i32.const 2)))))
        (i32.store offset=6 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 2 (local.get $y)) (i32.const 2)))))
        (i32.store offset=9 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 3 (local.get $y)) (i32.const 2)))))
        (i32.store offset=12 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 4 (local.get $y)) (i32.const 2)))))
        (i32.store offset=15 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 5 (local.get $y)) (i32.const 2)))))
        (i32.store offset=18 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 6 (local.get $y)) (i32.const 2)))))
        (i32.store offset=21 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 7 (local.get $y)) (i32.const 2)))))
        (i32.store offset=24 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 8 (local.get $y)) (i32.const 2)))))
        (i32.store offset=27 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 9 (local.get $y)) (i32.const 2)))))
        (i32.store offset=30 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 10 (local.get $y)) (i32.const 2)))))
        (i32.store offset=33 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 11 (local.get $y)) (i32.const 2)))))
        (i32.store offset=36 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 12 (local.get $y)) (i32.const 2)))))
        (i32.store offset=39 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 13 (local.get $y)) (i32.const 2)))))
        (i32.store offset=42 (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 14 (local.get $y)) (i32.const 2)))))
        (local.set $c (i32.load (i32.add (local.get $table) (i32.shl (i8x16.extract_lane_u 15 (local.get $y)) (i32.const 2)))))
        (i32.store16 offset=45 (local.get $q) (local.get $c))
        (i32.store8 offset=47 (local.get $q) (i32.shr_u (local.get $c) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 48)))
        (br $sixteen)))
    (block $tail
      (loop $one
        (br_if $tail (i32.ge_u (local.get $q) (local.get $stop)))
        (call $put (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (call $luma
          (i32.load8_u (local.get $q)) (i32.load8_u offset=1 (local.get $q)) (i32.load8_u offset=2 (local.get $q))) (i32.const 2)))))
        (local.set $q (i32.add (local.get $q) (i32.const 3)))
        (br $one))))

  ;; texture, alpha 255: 16 lighting factors looked up by luma, spread to 48 bytes, times
  ;; 48 tile bytes; the unsigned narrowing caps each at 255. $row is the tile row, $x the column.
  (func $textureRun (param $q i32) (param $stop i32) (param $lut i32) (param $row i32) (param $x i32)
    (local $y v128) (local $f v128) (local $texel i32)
    (block $done
      (loop $sixteen
        (br_if $done (i32.gt_u (i32.add (local.get $q) (i32.const 48)) (local.get $stop)))
        (local.set $y (call $luma16 (v128.load (local.get $q)) (v128.load offset=16 (local.get $q)) (v128.load offset=32 (local.get $q))))
        (local.set $f (i8x16.replace_lane 0 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 0 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 1 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 1 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 2 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 2 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 3 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 3 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 4 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 4 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 5 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 5 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 6 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 6 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 7 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 7 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 8 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 8 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 9 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 9 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 10 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 10 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 11 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 11 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 12 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 12 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 13 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 13 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 14 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 14 (local.get $y))))))
        (local.set $f (i8x16.replace_lane 15 (local.get $f) (i32.load8_u (i32.add (local.get $lut) (i8x16.extract_lane_u 15 (local.get $y))))))
        (local.set $texel (i32.add (local.get $row) (i32.mul (i32.and (local.get $x) (i32.const 511)) (i32.const 3))))
        (v128.store (local.get $q) (call $scale (v128.load (local.get $texel))
          (i8x16.shuffle 0 0 0 1 1 1 2 2 2 3 3 3 4 4 4 5 (local.get $f) (local.get $f))))
        (v128.store offset=16 (local.get $q) (call $scale (v128.load offset=16 (local.get $texel))
          (i8x16.shuffle 5 5 6 6 6 7 7 7 8 8 8 9 9 9 10 10 (local.get $f) (local.get $f))))
        (v128.store offset=32 (local.get $q) (call $scale (v128.load offset=32 (local.get $texel))
          (i8x16.shuffle 10 11 11 11 12 12 12 13 13 13 14 14 14 15 15 15 (local.get $f) (local.get $f))))
        (local.set $q (i32.add (local.get $q) (i32.const 48)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $sixteen)))
    (block $tail
      (loop $one
        (br_if $tail (i32.ge_u (local.get $q) (local.get $stop)))
        (call $put (local.get $q) (call $textured
          (i32.load8_u (i32.add (local.get $lut) (call $luma
            (i32.load8_u (local.get $q)) (i32.load8_u offset=1 (local.get $q)) (i32.load8_u offset=2 (local.get $q)))))
          (i32.add (local.get $row) (i32.mul (i32.and (local.get $x) (i32.const 511)) (i32.const 3)))))
        (local.set $q (i32.add (local.get $q) (i32.const 3)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $one))))

  ;; min(255, (texel byte × factor byte) >> 7) in each of 16 lanes.
  (func $scale (param $texels v128) (param $factors v128) (result v128)
    (i8x16.narrow_i16x8_u
      (i16x8.shr_u (i16x8.extmul_low_i8x16_u (local.get $texels) (local.get $factors)) (i32.const 7))
      (i16x8.shr_u (i16x8.extmul_high_i8x16_u (local.get $texels) (local.get $factors)) (i32.const 7))))

  ;; tone without a saturation change, alpha 255: one curve per channel, byte by byte.
  (func $channelRun (param $q i32) (param $stop i32) (param $lut i32)
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $q) (local.get $stop)))
        (i32.store8 (local.get $q) (i32.load8_u (i32.add (local.get $lut) (i32.load8_u (local.get $q)))))
        (i32.store8 offset=1 (local.get $q) (i32.load8_u offset=256 (i32.add (local.get $lut) (i32.load8_u offset=1 (local.get $q)))))
        (i32.store8 offset=2 (local.get $q) (i32.load8_u offset=512 (i32.add (local.get $lut) (i32.load8_u offset=2 (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (i32.const 3)))
        (br $one))))

  ;; tone with saturation, alpha 255: $saturated written out inline, as the calls cost more than the work.
  (func $saturationRun (param $q i32) (param $stop i32) (param $lut i32) (param $saturation i32)
    (local $r i32) (local $g i32) (local $b i32) (local $y i32) (local $v i32)
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $q) (local.get $stop)))
        (local.set $r (i32.load8_u (local.get $q)))
        (local.set $g (i32.load8_u offset=1 (local.get $q)))
        (local.set $b (i32.load8_u offset=2 (local.get $q)))
        (local.set $y (i32.shr_u
          (i32.add
            (i32.add (i32.mul (local.get $r) (i32.const 77)) (i32.mul (local.get $g) (i32.const 150)))
            (i32.add (i32.mul (local.get $b) (i32.const 29)) (i32.const 128)))
          (i32.const 8)))
        (local.set $v (i32.add (local.get $y) (i32.shr_s (i32.mul (i32.sub (local.get $r) (local.get $y)) (local.get $saturation)) (i32.const 8))))
        (local.set $v (select (i32.const 0) (select (i32.const 255) (local.get $v) (i32.gt_s (local.get $v) (i32.const 255))) (i32.lt_s (local.get $v) (i32.const 0))))
        (i32.store8 offset=0 (local.get $q) (i32.load8_u offset=0 (i32.add (local.get $lut) (local.get $v))))
        (local.set $v (i32.add (local.get $y) (i32.shr_s (i32.mul (i32.sub (local.get $g) (local.get $y)) (local.get $saturation)) (i32.const 8))))
        (local.set $v (select (i32.const 0) (select (i32.const 255) (local.get $v) (i32.gt_s (local.get $v) (i32.const 255))) (i32.lt_s (local.get $v) (i32.const 0))))
        (i32.store8 offset=1 (local.get $q) (i32.load8_u offset=256 (i32.add (local.get $lut) (local.get $v))))
        (local.set $v (i32.add (local.get $y) (i32.shr_s (i32.mul (i32.sub (local.get $b) (local.get $y)) (local.get $saturation)) (i32.const 8))))
        (local.set $v (select (i32.const 0) (select (i32.const 255) (local.get $v) (i32.gt_s (local.get $v) (i32.const 255))) (i32.lt_s (local.get $v) (i32.const 0))))
        (i32.store8 offset=2 (local.get $q) (i32.load8_u offset=512 (i32.add (local.get $lut) (local.get $v))))
        (local.set $q (i32.add (local.get $q) (i32.const 3)))
        (br $one))))

  ;; ---- runs ----

  ;; First index in [p, limit) where the byte at base + index differs from $value, four bytes per step.
  (func $runEnd (param $base i32) (param $p i32) (param $limit i32) (param $value i32) (result i32)
    (local $word i32)
    (local.set $word (i32.mul (local.get $value) (i32.const 0x01010101)))
    (block $bytes
      (loop $words
        (br_if $bytes (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $limit)))
        (br_if $bytes (i32.ne (i32.load (i32.add (local.get $base) (local.get $p))) (local.get $word)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $words)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $p) (local.get $limit)))
        (br_if $done (i32.ne (i32.load8_u (i32.add (local.get $base) (local.get $p))) (local.get $value)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $one)))
    (local.get $p))

  ;; The whole pass over a width × height photo at byte 0: runs of one owner along each
  ;; row, split into feathered pixels (blended one by one) and interior stretches.
  (func (export "apply") (param $width i32) (param $height i32) (param $owners i32) (param $alphas i32) (param $records i32) (param $tileStride i32)
    (local $y i32) (local $rowStart i32) (local $rowEnd i32) (local $p i32) (local $o i32) (local $end i32) (local $stop i32) (local $a i32)
    (local $record i32) (local $kind i32) (local $lut i32) (local $saturation i32) (local $table i32) (local $tileRow i32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $rowStart (i32.mul (local.get $y) (local.get $width)))
        (local.set $rowEnd (i32.add (local.get $rowStart) (local.get $width)))
        (local.set $tileRow (i32.mul (i32.and (local.get $y) (i32.const 511)) (local.get $tileStride)))
        (local.set $p (local.get $rowStart))
        (block $rowDone
          (loop $runs
            (br_if $rowDone (i32.ge_u (local.get $p) (local.get $rowEnd)))
            (local.set $o (i32.load8_u (i32.add (local.get $owners) (local.get $p))))
            (if (i32.eqz (local.get $o))
              (then
                (local.set $p (call $runEnd (local.get $owners) (local.get $p) (local.get $rowEnd) (i32.const 0)))
                (br $runs)))
            (local.set $end (call $runEnd (local.get $owners) (i32.add (local.get $p) (i32.const 1)) (local.get $rowEnd) (local.get $o)))
            (local.set $record (i32.add (local.get $records) (i32.shl (local.get $o) (i32.const 4))))
            (local.set $kind (i32.load (local.get $record)))
            (local.set $lut (i32.load offset=4 (local.get $record)))
            (local.set $saturation (i32.load offset=8 (local.get $record)))
            (local.set $table (i32.load offset=12 (local.get $record)))
            ;; A texture reads the tile row of this photo row.
            (if (i32.eq (local.get $kind) (i32.const 3)) (then (local.set $table (i32.add (local.get $table) (local.get $tileRow)))))
            (block $runDone
              (loop $stretches
                (br_if $runDone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $a (i32.load8_u (i32.add (local.get $alphas) (local.get $p))))
                (if (i32.ne (local.get $a) (i32.const 255))
                  (then
                    (call $feather (i32.mul (local.get $p) (i32.const 3)) (local.get $a)
                      (call $color (local.get $kind) (local.get $lut) (local.get $saturation)
                        (local.get $table) (i32.mul (local.get $p) (i32.const 3)) (i32.sub (local.get $p) (local.get $rowStart))))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $stretches)))
                (local.set $stop (call $runEnd (local.get $alphas) (i32.add (local.get $p) (i32.const 1)) (local.get $end) (i32.const 255)))
                (if (i32.eqz (local.get $kind))
                  (then (call $lumaRun (i32.mul (local.get $p) (i32.const 3)) (i32.mul (local.get $stop) (i32.const 3)) (local.get $table))))
                (if (i32.eq (local.get $kind) (i32.const 1))
                  (then (call $channelRun (i32.mul (local.get $p) (i32.const 3)) (i32.mul (local.get $stop) (i32.const 3)) (local.get $lut))))
                (if (i32.eq (local.get $kind) (i32.const 2))
                  (then (call $saturationRun (i32.mul (local.get $p) (i32.const 3)) (i32.mul (local.get $stop) (i32.const 3)) (local.get $lut) (local.get $saturation))))
                (if (i32.eq (local.get $kind) (i32.const 3))
                  (then (call $textureRun (i32.mul (local.get $p) (i32.const 3)) (i32.mul (local.get $stop) (i32.const 3)) (local.get $lut)
                    (local.get $table) (i32.sub (local.get $p) (local.get $rowStart)))))
                (local.set $p (local.get $stop))
                (br $stretches)))
            (br $runs)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))
)
