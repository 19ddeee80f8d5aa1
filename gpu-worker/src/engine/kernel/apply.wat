;; Phase B's per-pixel pass in WebAssembly: the same arithmetic as kernel/js.ts, byte for
;; byte. Pixels are edited in place: the caller copies the photo into memory first.
;;
;; Memory (laid out by kernel/wasm.ts): RGB pixels, owner map, alpha map, then one
;; 16-byte record per edit (index = owner id): kind, lut, saturation, table, where
;; lut is 768 bytes (three 256-entry curves) and table is recolor's packed luma → rgb
;; words or a texture's tile as one rgb word per texel.
(module
  (memory (import "env" "memory") 1)

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

  ;; texture: each texel channel × lighting factor / 128, capped at 255.
  (func $textured (param $factor i32) (param $texel i32) (result i32)
    (i32.or
      (i32.or
        (call $min255 (i32.shr_u (i32.mul (i32.and (local.get $texel) (i32.const 255)) (local.get $factor)) (i32.const 7)))
        (i32.shl (call $min255 (i32.shr_u (i32.mul (i32.and (i32.shr_u (local.get $texel) (i32.const 8)) (i32.const 255)) (local.get $factor)) (i32.const 7))) (i32.const 8)))
      (i32.shl (call $min255 (i32.shr_u (i32.mul (i32.shr_u (local.get $texel) (i32.const 16)) (local.get $factor)) (i32.const 7))) (i32.const 16))))

  ;; tone with a saturation factor: luma + (channel − luma) × saturation / 256, then the curves.
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

  ;; The edit's colour for the pixel at byte $q (column $x), as r | g << 8 | b << 16.
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
      (i32.load (i32.add (local.get $table) (i32.shl (i32.and (local.get $x) (i32.const 511)) (i32.const 2))))))

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

  ;; recolor, alpha 255: four pixels (three words) per step.
  (func $lumaRun (param $q i32) (param $stop i32) (param $table i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (block $done
      (loop $four
        (br_if $done (i32.gt_u (i32.add (local.get $q) (i32.const 12)) (local.get $stop)))
        (local.set $w0 (i32.load (local.get $q)))
        (local.set $w1 (i32.load offset=4 (local.get $q)))
        (local.set $w2 (i32.load offset=8 (local.get $q)))
        (local.set $c0 (i32.load (i32.add (local.get $table) (i32.shl (call $luma
          (i32.and (local.get $w0) (i32.const 255)) (i32.and (i32.shr_u (local.get $w0) (i32.const 8)) (i32.const 255)) (i32.and (i32.shr_u (local.get $w0) (i32.const 16)) (i32.const 255))) (i32.const 2)))))
        (local.set $c1 (i32.load (i32.add (local.get $table) (i32.shl (call $luma
          (i32.shr_u (local.get $w0) (i32.const 24)) (i32.and (local.get $w1) (i32.const 255)) (i32.and (i32.shr_u (local.get $w1) (i32.const 8)) (i32.const 255))) (i32.const 2)))))
        (local.set $c2 (i32.load (i32.add (local.get $table) (i32.shl (call $luma
          (i32.and (i32.shr_u (local.get $w1) (i32.const 16)) (i32.const 255)) (i32.shr_u (local.get $w1) (i32.const 24)) (i32.and (local.get $w2) (i32.const 255))) (i32.const 2)))))
        (local.set $c3 (i32.load (i32.add (local.get $table) (i32.shl (call $luma
          (i32.and (i32.shr_u (local.get $w2) (i32.const 8)) (i32.const 255)) (i32.and (i32.shr_u (local.get $w2) (i32.const 16)) (i32.const 255)) (i32.shr_u (local.get $w2) (i32.const 24))) (i32.const 2)))))
        (i32.store (local.get $q) (i32.or (local.get $c0) (i32.shl (local.get $c1) (i32.const 24))))
        (i32.store offset=4 (local.get $q) (i32.or (i32.shr_u (local.get $c1) (i32.const 8)) (i32.shl (local.get $c2) (i32.const 16))))
        (i32.store offset=8 (local.get $q) (i32.or (i32.shr_u (local.get $c2) (i32.const 16)) (i32.shl (local.get $c3) (i32.const 8))))
        (local.set $q (i32.add (local.get $q) (i32.const 12)))
        (br $four)))
    (block $tail
      (loop $one
        (br_if $tail (i32.ge_u (local.get $q) (local.get $stop)))
        (call $put (local.get $q) (i32.load (i32.add (local.get $table) (i32.shl (call $luma
          (i32.load8_u (local.get $q)) (i32.load8_u offset=1 (local.get $q)) (i32.load8_u offset=2 (local.get $q))) (i32.const 2)))))
        (local.set $q (i32.add (local.get $q) (i32.const 3)))
        (br $one))))

  ;; texture, alpha 255: four pixels per step; $tile is the tile row's first texel, $x the column.
  (func $textureRun (param $q i32) (param $stop i32) (param $lut i32) (param $tile i32) (param $x i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (block $done
      (loop $four
        (br_if $done (i32.gt_u (i32.add (local.get $q) (i32.const 12)) (local.get $stop)))
        (local.set $w0 (i32.load (local.get $q)))
        (local.set $w1 (i32.load offset=4 (local.get $q)))
        (local.set $w2 (i32.load offset=8 (local.get $q)))
        (local.set $c0 (call $textured
          (i32.load8_u (i32.add (local.get $lut) (call $luma
            (i32.and (local.get $w0) (i32.const 255)) (i32.and (i32.shr_u (local.get $w0) (i32.const 8)) (i32.const 255)) (i32.and (i32.shr_u (local.get $w0) (i32.const 16)) (i32.const 255)))))
          (i32.load (i32.add (local.get $tile) (i32.shl (i32.and (local.get $x) (i32.const 511)) (i32.const 2))))))
        (local.set $c1 (call $textured
          (i32.load8_u (i32.add (local.get $lut) (call $luma
            (i32.shr_u (local.get $w0) (i32.const 24)) (i32.and (local.get $w1) (i32.const 255)) (i32.and (i32.shr_u (local.get $w1) (i32.const 8)) (i32.const 255)))))
          (i32.load (i32.add (local.get $tile) (i32.shl (i32.and (i32.add (local.get $x) (i32.const 1)) (i32.const 511)) (i32.const 2))))))
        (local.set $c2 (call $textured
          (i32.load8_u (i32.add (local.get $lut) (call $luma
            (i32.and (i32.shr_u (local.get $w1) (i32.const 16)) (i32.const 255)) (i32.shr_u (local.get $w1) (i32.const 24)) (i32.and (local.get $w2) (i32.const 255)))))
          (i32.load (i32.add (local.get $tile) (i32.shl (i32.and (i32.add (local.get $x) (i32.const 2)) (i32.const 511)) (i32.const 2))))))
        (local.set $c3 (call $textured
          (i32.load8_u (i32.add (local.get $lut) (call $luma
            (i32.and (i32.shr_u (local.get $w2) (i32.const 8)) (i32.const 255)) (i32.and (i32.shr_u (local.get $w2) (i32.const 16)) (i32.const 255)) (i32.shr_u (local.get $w2) (i32.const 24)))))
          (i32.load (i32.add (local.get $tile) (i32.shl (i32.and (i32.add (local.get $x) (i32.const 3)) (i32.const 511)) (i32.const 2))))))
        (i32.store (local.get $q) (i32.or (local.get $c0) (i32.shl (local.get $c1) (i32.const 24))))
        (i32.store offset=4 (local.get $q) (i32.or (i32.shr_u (local.get $c1) (i32.const 8)) (i32.shl (local.get $c2) (i32.const 16))))
        (i32.store offset=8 (local.get $q) (i32.or (i32.shr_u (local.get $c2) (i32.const 16)) (i32.shl (local.get $c3) (i32.const 8))))
        (local.set $q (i32.add (local.get $q) (i32.const 12)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $four)))
    (block $tail
      (loop $one
        (br_if $tail (i32.ge_u (local.get $q) (local.get $stop)))
        (call $put (local.get $q) (call $textured
          (i32.load8_u (i32.add (local.get $lut) (call $luma
            (i32.load8_u (local.get $q)) (i32.load8_u offset=1 (local.get $q)) (i32.load8_u offset=2 (local.get $q)))))
          (i32.load (i32.add (local.get $tile) (i32.shl (i32.and (local.get $x) (i32.const 511)) (i32.const 2))))))
        (local.set $q (i32.add (local.get $q) (i32.const 3)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $one))))

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

  ;; First index in [p, limit) where the byte at base + index differs from $value.
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

  ;; The whole pass over a width × height photo at byte 0.
  (func (export "apply") (param $width i32) (param $height i32) (param $owners i32) (param $alphas i32) (param $edits i32)
    (local $y i32) (local $rowStart i32) (local $rowEnd i32) (local $p i32) (local $o i32) (local $end i32) (local $stop i32) (local $a i32)
    (local $record i32) (local $kind i32) (local $lut i32) (local $saturation i32) (local $table i32) (local $tileRow i32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $rowStart (i32.mul (local.get $y) (local.get $width)))
        (local.set $rowEnd (i32.add (local.get $rowStart) (local.get $width)))
        (local.set $tileRow (i32.shl (i32.and (local.get $y) (i32.const 511)) (i32.const 11)))
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
            (local.set $record (i32.add (local.get $edits) (i32.shl (local.get $o) (i32.const 4))))
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
                  (then (call $lumaRun (i32.mul (local.get $p) (i32.const 3)) (i32.mul (local.get $stop) (i32.const 3)) (local.get $table)))
                  (else (if (i32.eq (local.get $kind) (i32.const 1))
                    (then (call $channelRun (i32.mul (local.get $p) (i32.const 3)) (i32.mul (local.get $stop) (i32.const 3)) (local.get $lut)))
                    (else (if (i32.eq (local.get $kind) (i32.const 3))
                      (then (call $textureRun (i32.mul (local.get $p) (i32.const 3)) (i32.mul (local.get $stop) (i32.const 3)) (local.get $lut)
                        (local.get $table) (i32.sub (local.get $p) (local.get $rowStart))))
                      (else
                        (block $satDone
                          (loop $sat
                            (br_if $satDone (i32.ge_u (local.get $p) (local.get $stop)))
                            (call $put (i32.mul (local.get $p) (i32.const 3))
                              (call $saturated (i32.mul (local.get $p) (i32.const 3)) (local.get $lut) (local.get $saturation)))
                            (local.set $p (i32.add (local.get $p) (i32.const 1)))
                            (br $sat)))))))))
                (local.set $p (local.get $stop))
                (br $stretches)))
            (br $runs)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))
)
