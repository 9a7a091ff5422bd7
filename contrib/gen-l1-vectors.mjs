// contrib/gen-l1-vectors.mjs — run by contrib/gen-l1-vectors (which installs the pinned ethers
// and passes its folder in ETHERS_DIR): writes the test vectors of src/l1 into the folder given
// as the first argument, computed by ethers, an implementation independent of tacit's:
//   rlp.json     RLP encodings of nested lists and byte strings (edge lengths 55/56, 255/256,
//                1024), of integers up to 2^256 - 1, and of random trees
//   abi.json     ABI encodings of each type (uint<M>, int<M>, address, bool, bytes<M>, bytes,
//                string, T[], T[k], tuples, nested dynamic) and of random types and values;
//                calldata of functions; selectors; revert data (Error(string), custom errors)
//   events.json  event topics and log data/topics of events with indexed parameters
//   tx.json      EIP-1559 transactions signed with fixed keys: signing hash, raw, tx hash, sender
//   eip712.json  EIP-712 domain separators, struct hashes, digests and signatures
// Everything random comes from a fixed-seed generator: the same ethers writes the same files.
// Value forms in the files: integers as decimal strings, byte strings, addresses and hashes as
// 0x hex (lower case), strings as JSON strings, lists and tuples as JSON arrays.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

import { xorshift64star } from './lib/xorshift.mjs';

const require = createRequire(path.join(process.env.ETHERS_DIR, 'node_modules') + '/');
const ethers = require('ethers');
const out = process.argv[2];

// a fixed stream, the same on every run
const rand64 = xorshift64star(0x9e3779b97f4a7c15n);
const randInt = (n) => Number(rand64() % BigInt(n)); // 0..n-1
function randBytes(n) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = randInt(256);
    return b;
}
const hex = (b) => ethers.hexlify(b);
const randHex = (n) => hex(randBytes(n));
function randBits(bits) {
    let v = 0n;
    for (let i = 0; i < bits; i += 64) v = (v << 64n) | rand64();
    return v & ((1n << BigInt(bits)) - 1n);
}
const write = (name, obj) =>
    fs.writeFileSync(path.join(out, name), JSON.stringify(obj, null, 1) + '\n');

// ------------------------------------------------------------------------------ RLP ----
function rlpCases() {
    const str = (n) => hex(new Uint8Array(n).map((_, i) => (i * 7 + 1) & 0xff));
    const items = [
        '0x', '0x00', '0x01', '0x7f', '0x80', '0x81', '0xff', str(2), str(55), str(56), str(255),
        str(256), str(1024),
        [], [[]], [[], [[]], [[], [[]]]], ['0x', '0x00', '0x80'],
        // lists whose payload is exactly 55 and 56 bytes (short and long list form)
        [str(53)], [str(54)], [str(55)], [str(0x10000 >> 6)],
        [[str(20), [str(30), '0x05']], '0x', [[[['0x7f']]]]],
    ];
    function randTree(depth) {
        if (depth > 3 || randInt(3) === 0) {
            const lens = [0, 1, 1, 2, 20, 32, 54, 55, 56, 57, 100, 300];
            const n = lens[randInt(lens.length)];
            return n === 1 ? hex(Uint8Array.of(randInt(256))) : randHex(n);
        }
        const k = randInt(5);
        return Array.from({ length: k }, () => randTree(depth + 1));
    }
    for (let i = 0; i < 40; i++) items.push(randTree(0));
    const ints = [0n, 1n, 127n, 128n, 255n, 256n, 1024n, (1n << 64n) - 1n, 1n << 64n,
                  10n ** 18n, 10n ** 22n, (1n << 255n), (1n << 256n) - 1n];
    for (let i = 0; i < 20; i++) ints.push(randBits(1 + randInt(256)));
    return {
        items: items.map((v) => ({ value: v, encoded: ethers.encodeRlp(v) })),
        ints: ints.map((v) => ({
            value: v.toString(),
            encoded: ethers.encodeRlp(v === 0n ? '0x' : ethers.toBeHex(v)),
        })),
    };
}

// ------------------------------------------------------------------------------ ABI ----
// A random type as a string.
function randType(depth) {
    const r = randInt(depth > 2 ? 7 : 10);
    switch (r) {
    case 0: return 'uint' + 8 * (1 + randInt(32));
    case 1: return 'int' + 8 * (1 + randInt(32));
    case 2: return 'address';
    case 3: return 'bool';
    case 4: return 'bytes' + (1 + randInt(32));
    case 5: return 'bytes';
    case 6: return 'string';
    case 7: return randType(depth + 1) + '[]';
    case 8: return randType(depth + 1) + '[' + (1 + randInt(3)) + ']';
    default: {
        const n = 1 + randInt(4);
        return '(' + Array.from({ length: n }, () => randType(depth + 1)).join(',') + ')';
    }
    }
}

// A random value of a ParamType, in the vector form.
function randValue(pt) {
    if (pt.baseType === 'array') {
        const n = pt.arrayLength >= 0 ? pt.arrayLength : randInt(4);
        return Array.from({ length: n }, () => randValue(pt.arrayChildren));
    }
    if (pt.baseType === 'tuple') return pt.components.map(randValue);
    const t = pt.type;
    if (t === 'address') return randHex(20);
    if (t === 'bool') return randInt(2) === 1;
    if (t === 'string') {
        const alphabet = ['a', 'Z', ' ', '0', '"', '\\', 'é', '€', '\n'];
        return Array.from({ length: randInt(40) }, () => alphabet[randInt(alphabet.length)]).join('');
    }
    if (t === 'bytes') return randHex([0, 1, 31, 32, 33, 64, 65, 100][randInt(8)]);
    let m = /^bytes(\d+)$/.exec(t);
    if (m) return randHex(Number(m[1]));
    m = /^(u?)int(\d+)$/.exec(t);
    const bits = Number(m[2]);
    const edge = randInt(4);
    if (m[1] === 'u') {
        const max = (1n << BigInt(bits)) - 1n;
        return (edge === 0 ? max : edge === 1 ? 0n : randBits(bits)).toString();
    }
    const min = -(1n << BigInt(bits - 1)), max = (1n << BigInt(bits - 1)) - 1n;
    return (edge === 0 ? min : edge === 1 ? max : randBits(bits) + min).toString();
}

// The vector form into what ethers takes (integers as BigInt).
function toEthers(pt, v) {
    if (pt.baseType === 'array') return v.map((x) => toEthers(pt.arrayChildren, x));
    if (pt.baseType === 'tuple') return v.map((x, i) => toEthers(pt.components[i], x));
    if (/int/.test(pt.type)) return BigInt(v);
    return v;
}

function abiCases() {
    const coder = ethers.AbiCoder.defaultAbiCoder();
    const fixed = [
        ['uint8', '0'], ['uint8', '255'], ['uint64', '18446744073709551615'],
        ['uint256', ((1n << 256n) - 1n).toString()], ['uint', '1'], ['int8', '-128'], ['int8', '127'],
        ['int256', '-1'], ['int64', '-9223372036854775808'],
        ['address', '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'], ['bool', true], ['bool', false],
        ['bytes1', '0xab'], ['bytes4', '0x08c379a0'], ['bytes32', '0x' + 'ee'.repeat(32)],
        ['bytes', '0x'], ['bytes', '0x01'], ['bytes', '0x' + '11'.repeat(32)],
        ['bytes', '0x' + '22'.repeat(33)], ['string', ''], ['string', 'hello'],
        ['string', 'tacit € é'], ['uint256[]', []], ['uint256[]', ['1', '2', '3']],
        ['uint256[3]', ['4', '5', '6']], ['bytes[]', ['0x', '0x0102', '0x' + '33'.repeat(40)]],
        ['string[]', ['a', '', 'bc']], ['bytes32[][]', [['0x' + '01'.repeat(32)], [], ['0x' + '02'.repeat(32), '0x' + '03'.repeat(32)]]],
        ['(uint256,bytes)', ['7', '0xdeadbeef']],
        ['(uint256,bytes)[]', [['1', '0x'], ['2', '0x' + '44'.repeat(50)]]],
        ['((uint8,string)[],bool)[2]', [[[['1', 'x'], ['2', 'yy']], true], [[], false]]],
        ['(address,uint256,bytes32,bytes)', ['0x70997970c51812dc3a010c7d01b50e0d17dc79c8', '1000000000', '0x' + 'ab'.repeat(32), '0x']],
        ['uint256[2][2]', [['1', '2'], ['3', '4']]],
        ['(uint256[2],uint256[2][2],uint256[2],uint256[7])', [['1', '2'], [['3', '4'], ['5', '6']], ['7', '8'], ['1', '2', '3', '4', '5', '6', '7']]],
        ['()', []],
    ];
    const cases = fixed.map(([type, value]) => ({ type, value }));
    for (let i = 0; i < 60; i++) {
        const type = randType(0);
        cases.push({ type, value: randValue(ethers.ParamType.from(type)) });
    }
    for (const c of cases) {
        const pt = ethers.ParamType.from(c.type);
        c.encoded = coder.encode([pt], [toEthers(pt, c.value)]);
        if (c.type === 'uint') c.canonical = 'uint256';
    }
    const sigs = [
        ['transfer(address,uint256)', ['0x70997970c51812dc3a010c7d01b50e0d17dc79c8', '1000']],
        ['submitBlock(bytes,uint256[],(bytes32,uint64))', ['0x0102', ['1', '2'], ['0x' + 'cd'.repeat(32), '9']]],
        ['noArgs()', []],
        ['deposit(bytes32,uint256)', ['0x' + '12'.repeat(32), '1000000000']],
    ];
    const calls = sigs.map(([sig, args]) => {
        const f = ethers.FunctionFragment.from(sig);
        const iface = new ethers.Interface([f]);
        return {
            sig, args,
            selector: f.selector,
            encoded: iface.encodeFunctionData(f, f.inputs.map((pt, i) => toEthers(pt, args[i]))),
        };
    });
    const errIface = new ethers.Interface(['error NullifierSpent(bytes32 nf)', 'error BadParent(uint64 height, bytes32 want)']);
    const reverts = [
        { data: new ethers.Interface(['error Error(string)']).encodeErrorResult('Error', ['nope']), reason: 'Error(string): ("nope")' },
        { data: new ethers.Interface(['error Panic(uint256)']).encodeErrorResult('Panic', [0x11n]), reason: 'Panic(uint256): 0x11 (arithmetic overflow or underflow)' },
        { data: errIface.encodeErrorResult('NullifierSpent', ['0x' + '0a'.repeat(32)]), reason: 'NullifierSpent(bytes32): (0x' + '0a'.repeat(32) + ')' },
        { data: errIface.encodeErrorResult('BadParent', [5n, '0x' + '0b'.repeat(32)]), reason: 'BadParent(uint64,bytes32): (5, 0x' + '0b'.repeat(32) + ')' },
        { data: '0xdeadbeef', reason: 'unknown error 0xdeadbeef (4 bytes)' },
        { data: '0x', reason: 'no revert data' },
    ];
    return { cases, calls, reverts, custom_errors: ['NullifierSpent(bytes32)', 'BadParent(uint64,bytes32)'] };
}

function eventCases() {
    const evs = [
        ['Transfer(address indexed from, address indexed to, uint256 value)',
         ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', '12345']],
        ['Deposited(uint64 indexed index, address indexed from, uint256 amount, bytes32 commitment)',
         ['7', '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc', '1000000000', '0x' + '5a'.repeat(32)]],
        ['BlockSubmitted(uint64 indexed height, bytes32 blockHash, bytes data, string note)',
         ['42', '0x' + '77'.repeat(32), '0x' + '01'.repeat(70), 'ok']],
        ['Memo(string indexed topic, bytes payload, int8 indexed delta)', ['hello', '0xbeef', '-3']],
        ['Anonymousless()', []],
    ];
    return evs.map(([sig, values]) => {
        const f = ethers.EventFragment.from('event ' + sig);
        const iface = new ethers.Interface([f]);
        const log = iface.encodeEventLog(f, f.inputs.map((pt, i) => toEthers(pt, values[i])));
        return { sig, canonical: f.format('sighash'), topic0: f.topicHash, values, topics: log.topics, data: log.data };
    });
}

// ------------------------------------------------------------------------------ EIP-1559 ----
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
function sigFields(sig) {
    return { r: sig.r, s: sig.s, y_parity: sig.yParity };
}

function txCases() {
    const keys = [
        '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', // anvil account 0
        '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', // anvil account 1
        ethers.toBeHex(1n, 32),
        ethers.toBeHex(N - 1n, 32),
    ];
    const base = {
        chainId: '31337', nonce: '0', maxPriorityFeePerGas: '1000000000', maxFeePerGas: '2000000000',
        gasLimit: '21000', to: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', value: '1000000000000000000', data: '0x',
    };
    const specs = [
        { key: keys[0], tx: base },
        { key: keys[1], tx: { ...base, nonce: '5', to: null, value: '0', gasLimit: '100000', data: '0x600a600c600039600a6000f3602a60005260206000f3' } },
        { key: keys[2], tx: { ...base, chainId: '1', value: ((1n << 256n) - 1n).toString(), maxFeePerGas: ((1n << 256n) - 1n).toString() } },
        { key: keys[3], tx: { ...base, chainId: '4294967297', nonce: '9007199254740991', gasLimit: '18446744073709551615', maxPriorityFeePerGas: '0', value: '0' } },
    ];
    for (let i = 0; i < 20; i++) {
        let k;
        do k = randBits(256); while (k === 0n || k >= N);
        specs.push({
            key: ethers.toBeHex(k, 32),
            tx: {
                chainId: (1n + randBits(32)).toString(), nonce: randBits(randInt(2) ? 8 : 40).toString(),
                maxPriorityFeePerGas: randBits(40).toString(), maxFeePerGas: randBits(48).toString(),
                gasLimit: (21000n + randBits(24)).toString(), to: randInt(5) === 0 ? null : randHex(20),
                value: randBits(randInt(2) ? 64 : 100).toString(), data: randHex([0, 1, 4, 36, 55, 56, 200][randInt(7)]),
            },
        });
    }
    return specs.map(({ key, tx }) => {
        const wallet = new ethers.Wallet(key);
        const t = ethers.Transaction.from({
            // ethers keeps the nonce as a JS number: at most 2^53 - 1 here
            type: 2, chainId: BigInt(tx.chainId), nonce: Number(tx.nonce),
            maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas), maxFeePerGas: BigInt(tx.maxFeePerGas),
            gasLimit: BigInt(tx.gasLimit), to: tx.to, value: BigInt(tx.value), data: tx.data, accessList: [],
        });
        const signingHash = t.unsignedHash;
        t.signature = wallet.signingKey.sign(signingHash);
        return {
            key, from: wallet.address.toLowerCase(), tx,
            signing_hash: signingHash, signature: sigFields(t.signature), raw: t.serialized, hash: t.hash,
        };
    });
}

// ------------------------------------------------------------------------------ EIP-712 ----
function eip712Cases() {
    const out = [];
    // The example of EIP-712 itself (its digest is printed in the EIP's Example.js)
    const mailDomain = { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' };
    const mailTypes = {
        Person: [{ name: 'name', type: 'string' }, { name: 'wallet', type: 'address' }],
        Mail: [{ name: 'from', type: 'Person' }, { name: 'to', type: 'Person' }, { name: 'contents', type: 'string' }],
    };
    const mail = {
        from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
        to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
        contents: 'Hello, Bob!',
    };
    const enc = ethers.TypedDataEncoder.from(mailTypes);
    out.push({
        kind: 'mail', domain: { ...mailDomain, verifyingContract: mailDomain.verifyingContract.toLowerCase() },
        encoded_type: enc.encodeType('Mail'), message: mail,
        person_hashes: [enc.hashStruct('Person', mail.from), enc.hashStruct('Person', mail.to)],
        domain_separator: ethers.TypedDataEncoder.hashDomain(mailDomain),
        struct_hash: enc.hash(mail), digest: ethers.TypedDataEncoder.hash(mailDomain, mailTypes, mail),
    });
    // A deposit authorization-like type with every kind of member the helpers serve
    const depTypes = {
        Deposit: [
            { name: 'from', type: 'address' }, { name: 'amount', type: 'uint256' }, { name: 'nonce', type: 'uint64' },
            { name: 'commitment', type: 'bytes32' }, { name: 'memo', type: 'bytes' }, { name: 'note', type: 'string' },
            { name: 'nullifiers', type: 'bytes32[]' }, { name: 'ok', type: 'bool' },
        ],
    };
    const depEnc = ethers.TypedDataEncoder.from(depTypes);
    for (let i = 0; i < 8; i++) {
        let k;
        do k = randBits(256); while (k === 0n || k >= N);
        const wallet = new ethers.Wallet(ethers.toBeHex(k, 32));
        const domain = { name: 'tacit', version: String(1 + randInt(3)), chainId: Number(1n + randBits(31)), verifyingContract: randHex(20) };
        const message = {
            from: wallet.address.toLowerCase(), amount: randBits(80).toString(), nonce: randBits(40).toString(),
            commitment: randHex(32), memo: randHex(randInt(70)), note: ['', 'deposit 100 TAC', 'ünïcode'][randInt(3)],
            nullifiers: Array.from({ length: randInt(3) }, () => randHex(32)), ok: randInt(2) === 1,
        };
        const digest = ethers.TypedDataEncoder.hash(domain, depTypes, message);
        out.push({
            kind: 'deposit', key: ethers.toBeHex(k, 32), domain, encoded_type: depEnc.encodeType('Deposit'), message,
            domain_separator: ethers.TypedDataEncoder.hashDomain(domain), struct_hash: depEnc.hash(message), digest,
            signature: sigFields(wallet.signingKey.sign(digest)),
        });
    }
    return out;
}

fs.mkdirSync(out, { recursive: true });
const generator = 'contrib/gen-l1-vectors (ethers ' + ethers.version + ')';
write('rlp.json', { generator, ...rlpCases() });
write('abi.json', { generator, ...abiCases() });
write('events.json', { generator, events: eventCases() });
write('tx.json', { generator, txs: txCases() });
write('eip712.json', { generator, cases: eip712Cases() });
