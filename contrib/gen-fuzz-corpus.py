#!/usr/bin/env python3
"""Write the generated part of the fuzz seed corpus, tests/fuzz/corpus/<target>/ (see its
README): the EIP-196/197 precompile inputs decoded to bytes and the snarkjs proofs as
256-byte binary proofs for fuzz_groth16_bytes, and short hand-made edge cases for
fuzz_u256 and fuzz_groth16_json. Files are only added or overwritten, never removed, so the
regression seeds checked in beside them stay.

    python3 contrib/gen-fuzz-corpus.py

The snarkjs vectors themselves (tests/vectors/groth16/**/*.json) are replayed in place.
"""
import glob
import json
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
P = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_groth16_bytes: precompile inputs, then proofs A || B || C (EIP-197 order)
seen = set()
for fname, tag in (("bn256Add", "add"), ("bn256ScalarMul", "mul"), ("bn256Pairing", "pairing")):
    with open(os.path.join(ROOT, "tests", "vectors", "eip196_197", fname + ".json")) as f:
        for e in json.load(f):
            data = bytes.fromhex(e["Input"])
            if data in seen:
                continue
            seen.add(data)
            write("fuzz_groth16_bytes", "eip%s_%s_%s" % ("197" if tag == "pairing" else "196",
                                                         tag, e["Name"]), data)


def be32(s):
    return (int(s) % (1 << 256)).to_bytes(32, "big")


# the valid proofs, then one proof per kind of broken one (the invalid/ folder suffix)
kinds = set()
paths = (sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "groth16", "valid", "*",
                                       "proof.json"))) +
         sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "groth16", "invalid", "*",
                                       "proof.json"))))
for path in paths:
    folder = os.path.basename(os.path.dirname(path))
    kind = folder if "/valid/" in path else \
        re.sub(r"^(multiplier_a0|multiplier|poseidon_hasher|merkle|nopublic)_", "", folder)
    with open(path) as f:
        pr = json.load(f)
    a, b, c = pr["pi_a"], pr["pi_b"], pr["pi_c"]
    # z is dropped: a Jacobian or infinity point becomes its raw x, y (rejected either way)
    data = (be32(a[0]) + be32(a[1]) + be32(b[0][1]) + be32(b[0][0]) + be32(b[1][1]) +
            be32(b[1][0]) + be32(c[0]) + be32(c[1]))
    if data in seen or kind in kinds:
        continue
    seen.add(data)
    kinds.add(kind)
    write("fuzz_groth16_bytes", "proof_" + folder, data)
write("fuzz_groth16_bytes", "zeros_256", bytes(256))
write("fuzz_groth16_bytes", "ones_256", b"\xff" * 256)

# ---- fuzz_u256: decimal strings at and around every boundary of the grammar
U256_MAX = (1 << 256) - 1
u256 = {
    "zero": "0", "one": "1", "nine": "9", "ten": "10", "leading_zero": "01", "zeros": "00",
    "empty": "", "minus": "-1", "plus": "+1", "space_before": " 1", "space_after": "1 ",
    "float": "1.0", "exponent": "1e3", "hex": "0x10", "letter": "12a",
    "u64_max": str((1 << 64) - 1), "u64_max_plus1": str(1 << 64),
    "u128_max_plus1": str(1 << 128), "p_minus1": str(P - 1), "p": str(P), "r": str(R),
    "u256_max": str(U256_MAX), "u256_max_plus1": str(U256_MAX + 1),
    "u256_max_times10": str(U256_MAX * 10), "digits77": "9" * 77, "digits78_small": "1" + "0" * 77,
    "digits78_over": "2" + "0" * 77, "digits79": "1" + "0" * 78, "nul_inside": "12\x0034",
}
for name, s in u256.items():
    write("fuzz_u256", name, s)

# ---- fuzz_groth16_json: hand-made edge cases (named .json: the ctest replays *.json)
with open(os.path.join(ROOT, "tests", "vectors", "groth16", "valid", "multiplier",
                       "verification_key.json")) as f:
    vk = json.load(f)
G1 = vk["IC"][0]
cases = {
    "empty_object": "{}",
    "empty_array": "[]",
    "not_json": "{\"pi_a\": [",
    "trailing_data": "[] []",
    "duplicate_key": "{\"pi_a\": 1, \"pi_a\": 2}",
    "nul_in_string": "[\"1\\u00002\"]",
    "public_numbers": "[1, 2]",
    "public_float": "[\"1.0\"]",
    "public_r": "[\"%d\"]" % R,
    "public_u256_max_plus1": "[\"%d\"]" % (U256_MAX + 1),
    "deep_nesting": "[" * 5000 + "]" * 5000,
    "vk_npublic_negative": json.dumps(dict(vk, nPublic=-1)),
    "vk_npublic_huge": json.dumps(dict(vk, nPublic=1 << 40)),
    "vk_npublic_float": json.dumps(dict(vk, nPublic=2.0)),
    "vk_ic_short": json.dumps(dict(vk, IC=vk["IC"][:-1])),
    "vk_gamma_is_delta": json.dumps(dict(vk, vk_gamma_2=vk["vk_delta_2"])),
    "vk_protocol_plonk": json.dumps(dict(vk, protocol="plonk")),
    "proof_g1_infinity": json.dumps({"pi_a": ["0", "1", "0"], "pi_b": vk["vk_beta_2"],
                                     "pi_c": G1}),
    "proof_g1_short": json.dumps({"pi_a": G1[:2], "pi_b": vk["vk_beta_2"], "pi_c": G1}),
}
for name, s in cases.items():
    write("fuzz_groth16_json", name + ".json", s)
