;; The gear hash's hot loop for vault/chunker.ts, compiled into vault/gear-scan.ts by
;; `node build/gear-scan-wasm.mjs` (a test checks the two agree). WebAssembly because V8 runs
;; the same loop in JavaScript at a third of the speed: a chunker at ~300 MB/s was a quarter of
;; a backup's main thread.
;;
;; Memory: bytes 0..1024 hold the 256 int32 gear values (little-endian), the bytes to scan follow.
(module
  (memory (export "memory") 1)
  (global $fp (export "fp") (mut i32) (i32.const 0))
  ;; Continues fingerprint $fp over memory[$i, $stop): fp = (fp << 1) + gear[byte], wrapping.
  ;; Returns the index just past the first byte after which (fp & $mask) == 0, or -1 when there
  ;; is none; either way the fingerprint is left in the global $fp.
  (func (export "scan") (param $i i32) (param $stop i32) (param $fp i32) (param $mask i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $stop)))
        (local.set $fp
          (i32.add
            (i32.shl (local.get $fp) (i32.const 1))
            (i32.load (i32.shl (i32.load8_u (local.get $i)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $fp) (local.get $mask)))
          (then (global.set $fp (local.get $fp)) (return (local.get $i))))
        (br $next)))
    (global.set $fp (local.get $fp))
    (i32.const -1)))
