//! Which of tract's matrix kernels to run on this CPU.
//!
//! AMD's family 19h (Zen 3 and 4; only Zen 4 has AVX-512) runs each 512-bit instruction as two
//! 256-bit halves, and there tract's AVX-512 matrix kernels were slower than its AVX2 ones: a
//! 640×480 pass took 95–103 ms against 85–87 ms, a 1280×960 one 405–436 ms against 382–389 ms
//! (three alternating runs of `cargo bench --bench stages -- detector`, the AVX2 kernels chosen
//! with `TRACT_CPU_ISA=-avx512f`), and the 40 camera photos of `benches/compare.sh` took 46 and
//! 53 s against 53 and 60 s at the defaults (two alternating runs, `-j 2`). So on that family
//! tract is told to leave AVX-512 aside. The setting sits below the environment: a
//! `TRACT_CPU_ISA` the user sets still decides, and it only takes effect before tract first
//! looks at the CPU.

use tract_onnx::tract_core::tract_data::knobs::set_config_global;

/// Steers tract to the kernels measured fastest on this CPU; call before tract's first use.
pub(super) fn choose_kernels() {
    if splits_wide_vectors() {
        // Refused only when the host program configured the knob otherwise: its choice stands.
        let _ = set_config_global("TRACT_CPU_ISA", "-avx512f");
    }
}

/// Whether this is an AMD family 19h CPU.
#[cfg(target_arch = "x86_64")]
fn splits_wide_vectors() -> bool {
    use std::arch::x86_64::__cpuid;
    let vendor = __cpuid(0);
    let amd = [vendor.ebx, vendor.edx, vendor.ecx].map(u32::to_le_bytes).concat() == b"AuthenticAMD";
    let signature = __cpuid(1).eax;
    let base = (signature >> 8) & 0xf;
    let family = if base == 0xf { base + ((signature >> 20) & 0xff) } else { base };
    amd && family == 0x19
}

#[cfg(not(target_arch = "x86_64"))]
fn splits_wide_vectors() -> bool {
    false
}

#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn amd_family_19h_is_recognised_as_the_kernel_reports_it() {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").expect("Linux lists its CPUs");
        let field = |name: &str| {
            cpuinfo.lines().find(|l| l.starts_with(name)).and_then(|l| l.split(':').nth(1)).map(str::trim)
        };
        let expected = field("vendor_id") == Some("AuthenticAMD") && field("cpu family") == Some("25");
        assert_eq!(splits_wide_vectors(), expected);
    }
}
