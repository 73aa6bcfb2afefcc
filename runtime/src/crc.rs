//! The CRCs the runtime computes: S3's flexible checksums (CRC32, CRC32C, CRC64NVME) and the
//! two CRC32s of every event stream frame. CRC32 comes from crc32fast, whose carry-less multiply
//! outruns these tables several times over (an event stream of 32 KiB chunks decodes at 7.5 GB/s
//! instead of 1.2 GB/s, `cargo xtask bench-eventstream`); the two others from the tables here.

/// A reflected CRC of up to 64 bits, eight bytes at a time ("slicing by 8") from tables built at
/// compile time: a streamed object is checked as fast as it arrives, in a few lines instead of a
/// crate per algorithm (numbers in BENCHMARKS.md).
pub(crate) struct Crc {
    /// `tables[0]`: one byte's CRC; `tables[k]`: a byte's followed by `k` zero bytes.
    tables: [[u64; 256]; 8],
    /// All ones in the CRC's width: its initial value and final XOR.
    pub(crate) mask: u64,
}

/// The CRC32 (IEEE, as zlib computes it) of `bytes`: event stream frames carry two.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}
pub(crate) static CRC32C: Crc = Crc::new(0x82F6_3B78, 32);
pub(crate) static CRC64NVME: Crc = Crc::new(0x9A6C_9329_AC4B_C9B5, 64);

impl Crc {
    const fn new(polynomial: u64, width: u32) -> Self {
        let mut tables = [[0; 256]; 8];
        let mut byte = 0;
        while byte < 256 {
            let mut crc = byte as u64;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ polynomial } else { crc >> 1 };
                bit += 1;
            }
            tables[0][byte] = crc;
            byte += 1;
        }
        let mut k = 1;
        while k < 8 {
            let mut byte = 0;
            while byte < 256 {
                let previous = tables[k - 1][byte];
                tables[k][byte] = (previous >> 8) ^ tables[0][(previous & 0xff) as usize];
                byte += 1;
            }
            k += 1;
        }
        Crc { tables, mask: u64::MAX >> (64 - width) }
    }

    /// The running state after `bytes` (the state starts at `mask`; the CRC is `state ^ mask`).
    pub(crate) fn update(&self, mut state: u64, bytes: &[u8]) -> u64 {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut eight = [0; 8];
            eight.copy_from_slice(word);
            let x = state ^ u64::from_le_bytes(eight);
            state = (0..8).fold(0, |crc, i| crc ^ self.tables[7 - i][((x >> (8 * i)) & 0xff) as usize]);
        }
        words
            .remainder()
            .iter()
            .fold(state, |crc, &byte| self.tables[0][((crc ^ u64::from(byte)) & 0xff) as usize] ^ (crc >> 8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC32 by the tables, to check them (and crc32fast) against.
    static CRC32: Crc = Crc::new(0xEDB8_8320, 32);

    /// Eight bytes at a time agree with one at a time, at every length and split.
    #[test]
    fn slices_of_eight_agree_with_single_bytes() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for crc in [&CRC32, &CRC32C, &CRC64NVME] {
            let bytewise = |bytes: &[u8]| {
                bytes.iter().fold(crc.mask, |s, &b| crc.tables[0][((s ^ u64::from(b)) & 0xff) as usize] ^ (s >> 8))
            };
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 100, 300] {
                assert_eq!(crc.update(crc.mask, &data[..len]), bytewise(&data[..len]), "length {len}");
                let (a, b) = data[..len].split_at(len / 3);
                assert_eq!(crc.update(crc.update(crc.mask, a), b), bytewise(&data[..len]), "split {len}");
            }
        }
    }

    /// Throughput of each CRC over 64 MiB:
    /// `cargo test --release -p awsgen-runtime --lib crc_throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn crc_throughput() {
        let data = vec![0x5a_u8; 64 << 20];
        let rate = |run: &dyn Fn() -> u64| {
            let started = std::time::Instant::now();
            std::hint::black_box(run());
            data.len() as f64 / started.elapsed().as_secs_f64() / 1e6
        };
        for (name, crc) in [("CRC32", &CRC32), ("CRC32C", &CRC32C), ("CRC64NVME", &CRC64NVME)] {
            let sliced = rate(&|| crc.update(crc.mask, &data));
            let bytewise = rate(&|| {
                data.iter().fold(crc.mask, |s, &b| crc.tables[0][((s ^ u64::from(b)) & 0xff) as usize] ^ (s >> 8))
            });
            println!("{name}: {sliced:.0} MB/s eight bytes at a time, {bytewise:.0} MB/s one at a time");
        }
    }

    #[test]
    fn crc32_matches_its_check_value_and_the_tables() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 31 + 7) as u8).collect();
        assert_eq!(u64::from(crc32(&data)), CRC32.update(CRC32.mask, &data) ^ CRC32.mask);
    }
}
