//! The Rust kernel reproduces the shared expected checksums that the Python kernel
//! (`python_workloads/kernel.py`) is tested against too: same algorithm, same numbers.

use serde_json::Value;

#[test]
fn rust_kernel_matches_shared_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/python_workloads/kernel_vectors.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let seed = case["seed"].as_u64().unwrap();
        let iters = case["iters"].as_u64().unwrap();
        let want = case["checksum"].as_u64().unwrap();
        assert_eq!(
            spectrum::workload::kernel(seed, iters),
            want,
            "seed {seed}, iters {iters}"
        );
    }
}
