// SPDX-License-Identifier: MIT
// tacit — the rollup contract (shared/docs/SETTLEMENT.md 3, 5, 6; docs/l1-contract.md).
//
// Holds the pooled ETH (1 base unit = 1 gwei), the ordered L1->L2 message queue, the nullifier
// set, the recent note roots, the transparent balances and nonces that deposits spend, and
// checks every submitted tacit block completely (docs/protocol.md 6-8):
//   parent and height; the credits against the queue's head; per transaction its encoding,
//   ext_data_hash (v2: keccak-256 straight from calldata) and public_amount recomputed, its
//   nullifiers, its anchor, a deposit's EIP-712 authorization (ecrecover) with the balance and
//   nonce it spends, withdrawals and fees made claimable (pull: claim()); and ALL transfer
//   proofs plus the tree-update proofs in ONE pairing check, a random linear combination
//   whose 128-bit coefficients come from keccak-256 of the whole submission.
//
// The batch check (the small-exponents batch verification of Bellare, Garay and Rabin,
// "Fast batch verification for modular exponentiation and digital signatures", EUROCRYPT
// 1998, applied to Groth16's equation e(A,B) = e(alpha,beta) e(L,gamma) e(C,delta)):
//   prod_i e(r_i A_i, B_i) * e(-(sum r_i) alpha, beta) * e(-sum_i r_i L_i, gamma)
//                         * e(-sum_i r_i C_i, delta) == 1     (per verifying key)
// and sum_i r_i L_i = (sum r_i) IC_0 + sum_j (sum_i r_i x_ij) IC_j is folded in the scalar
// field first, so the public inputs cost 8 ecMul for the whole batch of transfer proofs.
// A bad proof passes with probability at most 2^-128 (the coefficients are fixed by the
// submission's hash after every byte of it is known).
// Precompiles: ecAdd (0x06) and ecMul (0x07) of EIP-196, the pairing check (0x08) of
// EIP-197, priced by EIP-1108 (150, 6,000, 34,000 k + 45,000 gas); ecrecover (0x01).
//
// Forced transactions and open submission (SETTLEMENT.md 6, 9; docs/l1-contract.md, the
// section of that name): anyone may queue a v2 transaction with forceTransaction (checked at
// once, its proof by a single verify); a block consumes it from the queue like a deposit, by a
// credit to the zero address (a marker: 1 included, as one of the block's first transactions;
// 0 failed, one of its nullifiers spent by an earlier block). When the queue's head is older
// than forceDelay L1 blocks, or no block settled for forceDelay, anyone may submit blocks.
//
// The verifying keys are constructor data, stored as the code of two data contracts (read
// with EXTCODECOPY), so this contract's bytecode does not depend on them.
pragma solidity 0.8.37;

contract TacitRollup {
    // ------------------------------------------------------------------ constants ----
    uint256 private constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    // secp256k1 n / 2: a deposit signature's s must not be above it (low s)
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint256 private constant GWEI = 1e9;
    uint256 private constant HEADER_BYTES = 289;
    uint256 private constant TX_BYTES = 1808;
    uint256 private constant TX_STRIDE = 1812; // len (u32) || tx
    uint256 private constant TREE_PROOF_BYTES = 288; // R_new || A || B || C
    uint256 private constant ROOT_HISTORY = 256;
    uint256 private constant VK_IC = 448; // alpha (64) beta gamma delta (128 each), then IC
    bytes32 private constant DEPOSIT_TYPEHASH = keccak256(
        "Deposit(uint64 amount,uint64 nonce,uint64 fee,bytes32 anchor,bytes32 nullifier0,bytes32 nullifier1,bytes32 commitment0,bytes32 commitment1,bytes32 extDataHash)"
    );
    uint8 private constant QUEUE_CREDIT = 1;
    uint8 private constant QUEUE_FORCED = 2;

    // ---------------------------------------------------------------- parameters ----
    address public immutable sequencer;
    address public immutable feeRecipient;
    uint64 public immutable chainId; // the L2's chain id
    uint256 public immutable maxLeaves; // M of the tree-update circuit
    bytes32 public immutable domainSeparator; // EIP-712, {"tacit", "2", chain id, this}
    // The L1 block of the deployment: no event of this contract is older, so a reader of its
    // logs (the sequencer's queue, a follower) starts there, never at block 0
    uint64 public immutable deployBlock;
    // T of the escape hatch, in L1 blocks: the sequencer must consume a queue entry within T;
    // after that (or T without a settled block) submission is open to anyone
    uint64 public immutable forceDelay;
    address private immutable transferVk;
    address private immutable treeVk;
    bytes8 private immutable chainIdLE; // as a transaction encodes it

    // --------------------------------------------------------------------- state ----
    uint64 public height; // the next block's height
    uint64 public commitmentCount;
    uint64 public queueHead; // entries consumed by blocks
    uint64 public queueLength;
    uint64 public pool; // the shielded pool, gwei
    // A block submitted in parts (submitBlockPart) whose last part has not come yet (in pool's
    // slot: submitBlock reads it for free):
    uint64 private partNext; // its transactions settled so far
    uint64 private partTotal; // its ntxs; 0: no block in progress
    uint64 private partCount; // the commitment count after its parts so far
    bytes32 public blockHash; // the hash chain: the last settled submission's hash
    bytes32 public noteRoot;
    mapping(uint256 => bytes32) public queueHash; // the queue's rolling hash after i entries
    mapping(bytes32 => uint256) public rootHeight; // 1 + the last height a root was the root at
    mapping(bytes32 => uint256) public nullifierHeight; // 1 + the height that spent it; 0: unspent
    mapping(address => Account) private accounts; // transparent balances (gwei) and nonces
    mapping(address => uint256) public claimable; // wei
    bytes32 private partHash; // the hash of its parts so far: the next part's `prev`
    bytes32 private partRoot; // the note root after its parts so far
    bytes32 private partHead; // keccak256 of its header: every part carries the same
    // The escape hatch (after the slots above, which keep their numbers):
    uint64 public lastSettledBlock; // block.number of the deployment, then of the last settled block
    mapping(uint256 => uint64) public queueBlock; // the L1 block entry i entered the queue at
    mapping(uint256 => Forced) private forced; // queue entry i when it is a forced transaction

    struct Account {
        uint64 balance;
        uint64 nonce;
    }

    // A forced transaction in the queue: keccak256 of its 1,808 bytes and its nullifiers.
    struct Forced {
        bytes32 txHash;
        bytes32 nf0;
        bytes32 nf1;
    }

    // -------------------------------------------------------------------- events ----
    event Deposited(uint64 indexed index, address indexed account, uint64 amount, bytes32 queueHash);
    event BlockSubmitted(
        uint64 indexed height,
        bytes32 indexed blockHash,
        bytes32 parent,
        bytes32 noteRoot,
        uint64 commitmentCount,
        uint64 queueHead,
        uint64 ntxs
    );
    event BlockPartSubmitted(uint64 indexed height, uint64 first, uint64 ntxs, bytes32 partHash);
    event Claimed(address indexed account, uint256 amount);
    event ForcedTransaction(uint64 indexed index, bytes32 indexed txHash, bytes32 queueHash, bytes tx);

    // -------------------------------------------------------------------- errors ----
    error NotSequencer(address sender);
    error BadVerifyingKey(uint256 which);
    error DepositToPool();
    error DepositNotWholeGwei(uint256 value);
    error DepositTooLarge(uint256 value);
    error NothingToClaim();
    error ClaimFailed();
    error WrongParent(bytes32 expected, bytes32 got);
    error WrongHeight(uint64 expected, uint64 got);
    error BlockEncoding();
    error WrongChainId();
    error CreditsNotQueueHead(uint64 head, uint64 count);
    error CreditOverflow(uint256 credit);
    error TxEncoding(uint256 index);
    error TxVersion(uint256 index);
    error TxChainId(uint256 index);
    error FeeOverflow(uint256 index);
    error ExtDataHashMismatch(uint256 index);
    error PublicAmountMismatch(uint256 index);
    error NullifierRepeated(uint256 index);
    error WithdrawalToPool(uint256 index);
    error DepositSignature(uint256 index);
    error UnknownAnchor(uint256 index, bytes32 root);
    error NullifierSpent(uint256 index, bytes32 nullifier);
    error NullifierInBlock(uint256 index, bytes32 nullifier);
    error DepositNonce(uint256 index, uint64 expected, uint64 got);
    error InsufficientBalance(uint256 index);
    error Turnstile(uint256 index);
    error TreeProofCount(uint256 expected, uint256 got);
    error TreeProofEncoding(uint256 index);
    error HeaderMismatch();
    error InvalidProofPoint(uint256 index);
    error BadTransferProof(uint256 index);
    error BadTreeUpdateProof(uint256 index);
    error BadProof();
    error BlockInProgress(uint64 next, uint64 total);
    error PartOfOtherBlock();
    error PartOutOfOrder(uint64 expected, uint64 got);
    error PartBeyondBlock(uint64 total);
    error PartTotals(uint64 count, bytes32 root);
    error ForcedDeposit();
    error ForcedMarker(uint256 credit);
    error ForcedMismatch(uint256 index);
    error ForcedNotSpent(uint256 credit);
    error ForcedBeyondPart();

    constructor(
        bytes memory transferKey,
        bytes memory treeKey,
        address sequencer_,
        address feeRecipient_,
        uint64 chainId_,
        bytes32 emptyRoot,
        uint64 forceDelay_
    ) {
        if (transferKey.length != VK_IC + 8 * 64) revert BadVerifyingKey(0);
        if (treeKey.length < VK_IC + 6 * 64 || (treeKey.length - VK_IC) % 64 != 0) revert BadVerifyingKey(1);
        sequencer = sequencer_;
        feeRecipient = feeRecipient_;
        chainId = chainId_;
        deployBlock = uint64(block.number);
        lastSettledBlock = uint64(block.number);
        forceDelay = forceDelay_;
        maxLeaves = (treeKey.length - VK_IC) / 64 - 5;
        transferVk = _store(transferKey);
        treeVk = _store(treeKey);
        chainIdLE = bytes8(_swap64(chainId_));
        domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("tacit"),
                keccak256("2"),
                block.chainid,
                address(this)
            )
        );
        noteRoot = emptyRoot;
    }

    // A data contract whose code is 0x00 || data (the 0x00 makes a call to it stop at once).
    function _store(bytes memory data) private returns (address a) {
        bytes memory init = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600c6000396000f300", data);
        assembly {
            a := create(0, add(init, 32), mload(init))
        }
        require(a != address(0));
    }

    // ------------------------------------------------------------------ deposits ----
    // Sends msg.value to `to`'s transparent balance on tacit: an entry of the queue that
    // the sequencer must credit, in order.
    function deposit(address to) external payable {
        if (to == address(0)) revert DepositToPool();
        if (msg.value == 0 || msg.value % GWEI != 0) revert DepositNotWholeGwei(msg.value);
        uint256 amount = msg.value / GWEI;
        if (amount > type(uint64).max) revert DepositTooLarge(msg.value);
        uint64 index = queueLength;
        bytes32 h =
            keccak256(abi.encodePacked(queueHash[index], QUEUE_CREDIT, to, bytes8(_swap64(uint64(amount)))));
        queueHash[uint256(index) + 1] = h;
        queueBlock[index] = uint64(block.number);
        queueLength = index + 1;
        emit Deposited(index, to, uint64(amount), h);
    }

    // Puts a v2 transaction t (1,808 bytes, without the block's u32 length) into the queue: the
    // sequencer must include it (or consume it as failed, one of its nullifiers spent since)
    // within forceDelay L1 blocks. Checked now: the static rules of a block's transaction, no
    // deposit, a known anchor (not checked again when a block includes it), unspent nullifiers,
    // the proof (a single verify). Anyone may call it; it pays no fee but the transaction's.
    function forceTransaction(bytes calldata t) external {
        uint256 buf;
        assembly {
            buf := mload(0x40)
            mstore(0x40, add(buf, 1888))
        }
        if (t.length != TX_BYTES) revert TxEncoding(0);
        uint256 off = _offset(t);
        (bytes32 txHash,,, uint256 damt) = _static(off, buf, 0);
        if (damt != 0) revert ForcedDeposit();
        {
            bytes32 anchor = bytes32(_load(off + 9));
            if (!_knownRoot(anchor, uint256(height) + 1)) revert UnknownAnchor(0, anchor);
        }
        bytes32 nf0 = bytes32(_load(off + 105));
        bytes32 nf1 = bytes32(_load(off + 137));
        if (nullifierHeight[nf0] != 0) revert NullifierSpent(0, nf0);
        if (nullifierHeight[nf1] != 0) revert NullifierSpent(0, nf1);
        if (!_verifyTx(off, 0)) revert BadTransferProof(0);
        uint64 index = queueLength;
        forced[index] = Forced(txHash, nf0, nf1);
        bytes32 h = keccak256(abi.encodePacked(queueHash[index], QUEUE_FORCED, txHash));
        queueHash[uint256(index) + 1] = h;
        queueBlock[index] = uint64(block.number);
        queueLength = index + 1;
        emit ForcedTransaction(index, txHash, h, t);
    }

    // Queue entry `index` when it is a forced transaction (else zeros).
    function forcedEntry(uint64 index) external view returns (bytes32 txHash, bytes32 nf0, bytes32 nf1) {
        Forced memory f = forced[index];
        return (f.txHash, f.nf0, f.nf1);
    }

    function account(address a) external view returns (uint64 balance, uint64 nonce) {
        Account memory x = accounts[a];
        return (x.balance, x.nonce);
    }

    // Pays msg.sender what blocks made claimable for it (withdrawals, fees).
    function claim() external {
        uint256 amount = claimable[msg.sender];
        if (amount == 0) revert NothingToClaim();
        claimable[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert ClaimFailed();
        emit Claimed(msg.sender, amount);
    }

    // One transaction's proof alone against its public inputs: the single-proof path (a forced
    // transaction is verified this way when it is queued, SETTLEMENT.md 6). t: 1,808 bytes.
    function verifyTransaction(bytes calldata t) external view returns (bool) {
        if (t.length != TX_BYTES) revert TxEncoding(0);
        uint256 off = _offset(t);
        for (uint256 j = 0; j < 7; j++) {
            if (_load(off + 9 + 32 * j) >= R) revert TxEncoding(0);
        }
        return _verifyTx(off, 0);
    }

    // ------------------------------------------------------------------- blocks ----
    // What a block's processing carries between its steps (memory, to keep the stack small).
    struct Ctx {
        uint256 txBase; // calldata offset of tx 0's length field
        uint256 ntx;
        uint256 buf; // scratch memory
        uint256 seed; // memory: parent, head hash, tx hashes..., tree hash
        uint256 marker; // 1 + height
        uint256 pool;
        uint256 fees;
        uint256 nproofs; // tree-update proofs
        uint256 treeBase; // calldata offset of the tree proofs
        uint256 oldRoots; // memory: R_old of each tree proof
        uint256 start; // commitment count before the block (the part)
        uint256 first; // a part: the block's index of its first transaction (in reasons)
        uint256 nforced; // F: the included forced transactions, the block's first F
        uint256 forcedHashes; // memory: their txHash, in queue order
    }

    // Submission is the sequencer's, or anyone's when it is open (isOpen).
    function _maySubmit() internal view {
        if (msg.sender != sequencer && !isOpen()) revert NotSequencer(msg.sender);
    }

    // Open submission (SETTLEMENT.md 6): the queue's head entered it more than forceDelay L1
    // blocks ago, or no block settled for more than forceDelay.
    function isOpen() public view returns (bool) {
        uint256 head = queueHead;
        uint256 t = forceDelay;
        return (head < queueLength && block.number > uint256(queueBlock[head]) + t)
            || block.number > uint256(lastSettledBlock) + t;
    }

    // Settles a tacit block: `blk` is its encoding (docs/protocol.md 4: header, credits,
    // transactions), `parent` the blockHash it extends, `treeProofs` the tree-update proofs of
    // its commitments, M leaves each: R_new (32) || A (64) || B (128) || C (64).
    function submitBlock(bytes32 parent, bytes calldata blk, bytes calldata treeProofs) external {
        _maySubmit();
        if (parent != blockHash) revert WrongParent(blockHash, parent);
        Ctx memory c;
        uint256 blkOff = _offset(blk);
        uint256 creditEnd = _header(blkOff, blk.length);
        c.txBase = creditEnd + 4;
        c.ntx = _u32le(creditEnd);
        if (blk.length != c.txBase - blkOff + c.ntx * TX_STRIDE) revert BlockEncoding();
        c.marker = uint256(height) + 1;
        c.pool = pool;
        if (partTotal != 0) revert BlockInProgress(partNext, partTotal);
        c.start = commitmentCount;
        _scratch(c, treeProofs);
        _credits(c, blkOff + HEADER_BYTES, creditEnd);
        if (c.nforced > c.ntx) revert ForcedMismatch(c.ntx);
        for (uint256 i = 0; i < c.ntx; i++) {
            _tx(c, i);
        }
        if (c.fees > 0) claimable[feeRecipient] += c.fees * GWEI;
        pool = uint64(c.pool);
        bytes32 root = _treeRoots(c, noteRoot);
        // header: note_root and commitment_count after the block
        {
            uint256 count = c.start + 2 * c.ntx;
            if (bytes32(_load(blkOff + 89)) != root || _u64le(blkOff + 121) != count) revert HeaderMismatch();
            commitmentCount = uint64(count);
        }
        bytes32 h = _seed(c, parent, blkOff);
        if (c.ntx > 0) _verifyBatch(c, h);
        uint64 ht = height;
        rootHeight[root] = uint256(ht) + 1;
        noteRoot = root;
        blockHash = h;
        height = ht + 1;
        lastSettledBlock = uint64(block.number);
        emit BlockSubmitted(ht, h, parent, root, uint64(c.start + 2 * c.ntx), queueHead, uint64(c.ntx));
    }

    // Settles a part of a block too large for one L1 transaction (docs/l1-contract.md, "A block
    // in parts"). `blk` = header || credits (the block's in its first part, none in the others)
    // || u32 ntxs (the block's) || u32 first (this part's first transaction) || this part's
    // transactions (len || tx each); `prev` = blockHash() for the first part, else the hash of
    // the part before; `treeProofs` the tree-update proofs of this part's commitments, from the
    // root and count the parts before it ended at. Each part is checked like a block (its
    // proofs in one pairing check, coefficients from its hash); the last one completes the
    // block: the header's root and count, the height, BlockSubmitted.
    function submitBlockPart(bytes32 prev, bytes calldata blk, bytes calldata treeProofs) external {
        _maySubmit();
        Ctx memory c;
        uint256 blkOff = _offset(blk);
        uint256 creditEnd = _header(blkOff, blk.length);
        if (creditEnd + 8 > blkOff + blk.length) revert BlockEncoding();
        uint256 total = _u32le(creditEnd);
        c.first = _u32le(creditEnd + 4);
        c.txBase = creditEnd + 8;
        {
            uint256 body = blkOff + blk.length - c.txBase;
            c.ntx = body / TX_STRIDE;
            if (c.ntx == 0 || body % TX_STRIDE != 0) revert BlockEncoding();
        }
        if (c.first + c.ntx > total) revert PartBeyondBlock(uint64(total));
        bytes32 head;
        assembly {
            let m := mload(0x40)
            calldatacopy(m, blkOff, 289) // HEADER_BYTES
            head := keccak256(m, 289)
        }
        c.marker = uint256(height) + 1;
        c.pool = pool;
        bytes32 root;
        {
            uint256 ptotal = partTotal;
            if (ptotal == 0) {
                if (c.first != 0) revert PartOutOfOrder(0, uint64(c.first));
                if (prev != blockHash) revert WrongParent(blockHash, prev);
                c.start = commitmentCount;
                root = noteRoot;
            } else {
                if (c.first == 0) revert BlockInProgress(partNext, uint64(ptotal));
                if (head != partHead || total != ptotal) revert PartOfOtherBlock();
                if (c.first != partNext) revert PartOutOfOrder(partNext, uint64(c.first));
                if (prev != partHash) revert WrongParent(partHash, prev);
                if (creditEnd != blkOff + HEADER_BYTES + 4) revert BlockEncoding(); // no credits
                c.start = partCount;
                root = partRoot;
            }
        }
        _scratch(c, treeProofs);
        _credits(c, blkOff + HEADER_BYTES, creditEnd);
        if (c.nforced > c.ntx) revert ForcedBeyondPart();
        for (uint256 i = 0; i < c.ntx; i++) {
            _tx(c, i);
        }
        if (c.fees > 0) claimable[feeRecipient] += c.fees * GWEI;
        root = _treeRoots(c, root);
        bytes32 h = _seed(c, prev, blkOff);
        _verifyBatch(c, h);
        _partDone(c, total, h, root, head, blkOff);
    }

    // A part was accepted: the block in progress moves on, or (its last part) settles.
    function _partDone(Ctx memory c, uint256 total, bytes32 h, bytes32 root, bytes32 head, uint256 blkOff)
        private
    {
        uint256 count = c.start + 2 * c.ntx;
        uint256 next = c.first + c.ntx;
        uint64 ht = height;
        emit BlockPartSubmitted(ht, uint64(c.first), uint64(c.ntx), h);
        if (next < total) {
            pool = uint64(c.pool);
            partNext = uint64(next);
            partTotal = uint64(total);
            partCount = uint64(count);
            partHash = h;
            partRoot = root;
            partHead = head;
            return;
        }
        // the last part: the header's note_root and commitment_count are where the parts ended
        if (bytes32(_load(blkOff + 89)) != root || _u64le(blkOff + 121) != count) {
            revert PartTotals(uint64(count), root);
        }
        pool = uint64(c.pool);
        partNext = 0;
        partTotal = 0;
        partCount = 0;
        commitmentCount = uint64(count);
        rootHeight[root] = uint256(ht) + 1;
        noteRoot = root;
        bytes32 parent = blockHash;
        blockHash = h;
        height = ht + 1;
        lastSettledBlock = uint64(block.number);
        emit BlockSubmitted(ht, h, parent, root, uint64(count), queueHead, uint64(total));
    }

    // The block in progress (submitBlockPart): its transactions settled so far (0: none in
    // progress), its ntxs, the commitment count and note root after its parts so far, and the
    // hash of its last part (the next part's `prev`).
    function partialBlock()
        external
        view
        returns (uint64 next, uint64 total, uint64 count, bytes32 root, bytes32 hash)
    {
        return (partNext, partTotal, partCount, partRoot, partHash);
    }

    // Scratch memory of a block (a part) and the tree proofs' count and offset.
    function _scratch(Ctx memory c, bytes calldata treeProofs) private view {
        {
            uint256 m = maxLeaves;
            c.nproofs = (2 * c.ntx + m - 1) / m;
        }
        if (treeProofs.length != c.nproofs * TREE_PROOF_BYTES) {
            revert TreeProofCount(c.nproofs, treeProofs.length / TREE_PROOF_BYTES);
        }
        uint256 p;
        assembly {
            p := mload(0x40)
        }
        c.buf = p; // 1,888 bytes of scratch
        c.seed = p + 1888; // 3 + ntx words
        c.oldRoots = c.seed + 32 * (3 + c.ntx); // nproofs words
        p = c.oldRoots + 32 * (1 + c.nproofs);
        assembly {
            mstore(0x40, p)
        }
        c.treeBase = _offset(treeProofs);
    }

    // The header: version 1, the chain id, the height; returns the offset of ntxs.
    function _header(uint256 off, uint256 len) private view returns (uint256 creditEnd) {
        if (len < HEADER_BYTES + 8 || uint8(bytes1(bytes32(_load(off)))) != 1) revert BlockEncoding();
        if (bytes8(bytes32(_load(off + 1))) != chainIdLE) revert WrongChainId();
        uint64 h = uint64(_u64le(off + 9));
        if (h != height) revert WrongHeight(height, h);
        uint256 n = _u32le(off + HEADER_BYTES);
        creditEnd = off + HEADER_BYTES + 4 + 28 * n;
        if (creditEnd + 4 > off + len) revert BlockEncoding();
    }

    // The credits section must be the queue's next entries, in order: the rolling hash over
    // them from the head's equals the stored one; each credits its account. A credit to the zero
    // address is a forced marker for the forced transaction at its position: amount 1 included
    // (the block's next transaction of the first F, its txHash noted in c.forcedHashes), 0
    // failed (valid only when one of its nullifiers was spent by an earlier block).
    function _credits(Ctx memory c, uint256 off, uint256 end) private {
        unchecked {
            uint64 head = queueHead;
            uint256 n = _u32le(off);
            bytes32 h = queueHash[head];
            uint256 buf = c.buf;
            uint256 fh; // the included markers' txHash, appended at the free memory
            uint256 nf;
            assembly {
                fh := mload(0x40)
            }
            for (uint256 p = off + 4; p < end; p += 28) {
                address a = address(bytes20(bytes32(_load(p))));
                uint256 amount = _u64le(p + 20);
                if (a == address(0)) {
                    uint256 j = (p - off - 4) / 28;
                    if (amount > 1) revert ForcedMarker(j);
                    Forced storage f = forced[uint256(head) + j];
                    bytes32 th = f.txHash;
                    if (th == bytes32(0)) revert CreditsNotQueueHead(head, uint64(n));
                    if (amount == 1) {
                        assembly {
                            mstore(add(fh, mul(32, nf)), th)
                        }
                        nf++;
                    } else if (nullifierHeight[f.nf0] == 0 && nullifierHeight[f.nf1] == 0) {
                        revert ForcedNotSpent(j);
                    }
                    assembly {
                        mstore(buf, h)
                        mstore8(add(buf, 32), 2) // QUEUE_FORCED
                        mstore(add(buf, 33), th)
                        h := keccak256(buf, 65)
                    }
                    continue;
                }
                assembly {
                    mstore(0, h)
                    mstore8(32, 1) // QUEUE_CREDIT
                    calldatacopy(33, p, 28)
                    h := keccak256(0, 61)
                }
                uint256 b = uint256(accounts[a].balance) + amount;
                if (b > type(uint64).max) revert CreditOverflow((p - off - 4) / 28);
                accounts[a].balance = uint64(b);
            }
            assembly {
                mstore(0x40, add(fh, mul(32, nf)))
            }
            c.forcedHashes = fh;
            c.nforced = nf;
            if (uint256(head) + n > queueLength || h != queueHash[uint256(head) + n]) {
                revert CreditsNotQueueHead(head, uint64(n));
            }
            queueHead = uint64(uint256(head) + n);
        }
    }

    // The static rules of one transaction at calldata offset t (its 1,808 bytes; the length
    // checked by the caller), shared by a block's transactions (_tx) and forceTransaction:
    // version 2 and the chain id (each with the reason the L2 rules give: EVERSION,
    // ECHAIN_ID), ext_len 1315, ct_len 571 twice, public inputs < r, canonical zero fields,
    // fee overflow, ext_data_hash and public_amount recomputed, nf0 != nf1, a withdrawal's
    // recipient. idx names the transaction in the reasons; buf: 1,888 bytes of scratch.
    // Returns keccak256 of the transaction, its fee, withdrawal and deposit amounts.
    function _static(uint256 t, uint256 buf, uint256 idx)
        private
        view
        returns (bytes32 hash, uint256 fee, uint256 wamt, uint256 damt)
    {
        unchecked {
            if (uint8(bytes1(bytes32(_load(t)))) != 2) revert TxVersion(idx);
            if (bytes8(bytes32(_load(t + 1))) != chainIdLE) revert TxChainId(idx);
            if (
                bytes4(bytes32(_load(t + 489))) != 0x23050000 || bytes2(bytes32(_load(t + 493 + 169))) != 0x3b02
                    || bytes2(bytes32(_load(t + 493 + 742))) != 0x3b02
            ) revert TxEncoding(idx);
            for (uint256 j = 0; j < 7; j++) {
                if (_load(t + 9 + 32 * j) >= R) revert TxEncoding(idx);
            }
            uint256 e = t + 493;
            fee = _u64le(e);
            wamt = _u64le(e + 8);
            damt = _u64le(e + 36);
            // canonical: an amount of 0 has its other fields zero
            if (wamt == 0 && _load(e + 16) >> 96 != 0) revert TxEncoding(idx);
            if (
                damt == 0
                    && (_load(e + 44) >> 96 != 0 || _load(e + 64) >> 192 != 0 || _load(e + 72) != 0 || _load(e + 104) != 0
                        || _load(e + 136) >> 248 != 0)
            ) revert TxEncoding(idx);
            if (wamt + fee > type(uint64).max) revert FeeOverflow(idx);
            // The transaction's hash, then in the same copy ext_data_hash (v2):
            // keccak256(l1 chain id || this || chain id || ext[0..72) || ext[137..)), its
            // pieces moved next to ext[137..) (at m + 630) in place.
            uint256 edh;
            assembly {
                let m := add(buf, 64)
                calldatacopy(m, t, 1808)
                hash := keccak256(m, 1808)
                mcopy(add(m, 558), add(m, 493), 72) // ext[0..72)
                mcopy(add(m, 550), add(m, 1), 8) // chain id
                mstore(add(m, 518), address()) // its low 20 bytes at m + 530
                mstore(add(m, 498), chainid())
                edh := mod(keccak256(add(m, 498), 1310), R)
            }
            if (edh != _load(t + 73)) revert ExtDataHashMismatch(idx);
            {
                uint256 out = wamt + fee;
                uint256 pa = damt >= out ? damt - out : R - (out - damt);
                if (pa != _load(t + 41)) revert PublicAmountMismatch(idx);
            }
            if (_load(t + 105) == _load(t + 137)) revert NullifierRepeated(idx);
            if (wamt > 0 && _load(e + 16) >> 96 == 0) revert WithdrawalToPool(idx);
        }
    }

    // One transaction: encoding, the static rules, the state rules (docs/protocol.md 6, 8).
    // The block's first c.nforced transactions are its included forced ones, in queue order:
    // each must be the queued transaction (its hash), and its anchor is not checked again (it
    // was when it was queued: the root history may have rotated since).
    function _tx(Ctx memory c, uint256 i) private {
        unchecked {
            uint256 t = c.txBase + i * TX_STRIDE;
            // length 1808 (the u32 before the transaction)
            if (bytes4(bytes32(_load(t))) != 0x10070000) revert TxEncoding(c.first + i);
            t += 4;
            (bytes32 hash, uint256 fee, uint256 wamt, uint256 damt) = _static(t, c.buf, c.first + i);
            {
                uint256 s = c.seed + 32 * (2 + i);
                assembly {
                    mstore(s, hash)
                }
            }
            uint256 e = t + 493;
            bytes32 nf0 = bytes32(_load(t + 105));
            bytes32 nf1 = bytes32(_load(t + 137));
            address wrec = address(bytes20(bytes32(_load(e + 16))));
            address sender;
            if (damt > 0) sender = _depositSigner(c, t, e, i);
            // state: anchor (or, a forced transaction, the queued one), nullifiers, deposit,
            // withdrawal and fee
            if (i < c.nforced) {
                bytes32 want;
                uint256 fp = c.forcedHashes + 32 * i;
                assembly {
                    want := mload(fp)
                }
                if (hash != want) revert ForcedMismatch(c.first + i);
            } else {
                bytes32 anchor = bytes32(_load(t + 9));
                if (!_knownRoot(anchor, c.marker)) revert UnknownAnchor(c.first + i, anchor);
            }
            _spend(c, i, nf0);
            _spend(c, i, nf1);
            if (damt > 0) {
                Account memory a = accounts[sender];
                uint64 nonce = uint64(_u64le(e + 64));
                if (nonce != a.nonce) revert DepositNonce(c.first + i, a.nonce, nonce);
                if (a.balance < damt) revert InsufficientBalance(c.first + i);
                accounts[sender] = Account(uint64(a.balance - damt), a.nonce + 1);
                c.pool += damt;
            }
            if (c.pool < wamt + fee) revert Turnstile(c.first + i);
            c.pool -= wamt + fee;
            if (wamt > 0) claimable[wrec] += wamt * GWEI;
            c.fees += fee;
        }
    }

    // A deposit's authorization (docs/protocol.md 8): low s, recovery id 0 or 1, the EIP-712
    // digest of Deposit{...} recovers to deposit_sender.
    function _depositSigner(Ctx memory c, uint256 t, uint256 e, uint256 i) private view returns (address sender) {
        sender = address(bytes20(bytes32(_load(e + 44))));
        uint256 buf = c.buf;
        uint256 s = _load(e + 104);
        uint256 v = _load(e + 136) >> 248;
        if (s > HALF_N || v > 1) revert DepositSignature(c.first + i);
        bytes32 ds = domainSeparator;
        bytes32 th = DEPOSIT_TYPEHASH;
        address got;
        // the three u64 members, as uint64 words
        uint256 damt = _u64le(e + 36);
        uint256 nonce = _u64le(e + 64);
        uint256 fee = _u64le(e);
        assembly {
            mstore(buf, th)
            mstore(add(buf, 32), damt)
            mstore(add(buf, 64), nonce)
            mstore(add(buf, 96), fee)
            mstore(add(buf, 128), calldataload(add(t, 9))) // anchor
            calldatacopy(add(buf, 160), add(t, 105), 128) // nf0, nf1, cm0, cm1
            mstore(add(buf, 288), calldataload(add(t, 73))) // extDataHash
            let sh := keccak256(buf, 320)
            mstore(buf, 0x1901000000000000000000000000000000000000000000000000000000000000)
            mstore(add(buf, 2), ds)
            mstore(add(buf, 34), sh)
            let digest := keccak256(buf, 66)
            mstore(buf, digest)
            mstore(add(buf, 32), add(v, 27))
            mstore(add(buf, 64), calldataload(add(e, 72)))
            mstore(add(buf, 96), s)
            mstore(add(buf, 128), 0)
            if staticcall(gas(), 1, buf, 128, add(buf, 128), 32) { got := mload(add(buf, 128)) }
        }
        if (got == address(0) || got != sender) revert DepositSignature(c.first + i);
    }

    // A root the note root was within ROOT_HISTORY blocks of the block with this marker (1 +
    // its height).
    function _knownRoot(bytes32 root, uint256 marker) private view returns (bool) {
        uint256 rh = rootHeight[root];
        return rh != 0 && marker - rh <= ROOT_HISTORY;
    }

    function _spend(Ctx memory c, uint256 i, bytes32 nf) private {
        uint256 h = nullifierHeight[nf];
        if (h == c.marker) revert NullifierInBlock(c.first + i, nf);
        if (h != 0) revert NullifierSpent(c.first + i, nf);
        nullifierHeight[nf] = c.marker;
    }

    // The roots the tree-update proofs go through: R_old of each (memory), the last R_new.
    function _treeRoots(Ctx memory c, bytes32 root0) private pure returns (bytes32 root) {
        root = root0;
        for (uint256 u = 0; u < c.nproofs; u++) {
            uint256 rn = _load(c.treeBase + u * TREE_PROOF_BYTES);
            if (rn >= R) revert TreeProofEncoding(u);
            uint256 p = c.oldRoots + 32 * u;
            assembly {
                mstore(p, root)
            }
            root = bytes32(rn);
        }
    }

    // The submission's hash: the parent, the header and credits, every transaction, the tree
    // proofs. It is the new blockHash and the seed of the batch coefficients.
    function _seed(Ctx memory c, bytes32 parent, uint256 blkOff) private pure returns (bytes32 h) {
        uint256 s = c.seed;
        uint256 n = c.ntx;
        uint256 headLen = c.txBase - blkOff;
        uint256 buf = c.buf;
        uint256 tb = c.treeBase;
        uint256 tl = c.nproofs * TREE_PROOF_BYTES;
        assembly {
            mstore(s, parent)
            // header and credits may be long (65,536 credits): hashed in place from a copy
            let m := mload(0x40)
            calldatacopy(m, blkOff, headLen)
            mstore(add(s, 32), keccak256(m, headLen))
            calldatacopy(m, tb, tl)
            mstore(add(s, mul(32, add(2, n))), keccak256(m, tl))
            h := keccak256(s, mul(32, add(3, n)))
            pop(buf)
        }
    }

    // --------------------------------------------------------- batch verification ----
    // 128-bit coefficient q of the batch.
    function _coef(bytes32 seed, uint256 q) private pure returns (uint256 r) {
        assembly {
            mstore(0, seed)
            mstore(32, q)
            r := shr(128, keccak256(0, 64))
        }
    }

    // Memory layout of the pairing input: (ntx + nproofs + 6) pairs of G1 (64) || G2 (128).
    function _verifyBatch(Ctx memory c, bytes32 seed) private view {
        unchecked {
            uint256 n = c.ntx;
            uint256 m = c.nproofs;
            uint256 npairs = n + m + 6;
            uint256 pairs;
            uint256 w; // work area: acc (64) | tmp (64) | scalar (32)
            uint256 vk; // transfer key: 448 + 8 * 64
            address tvk = transferVk;
            assembly {
                pairs := mload(0x40)
                w := add(pairs, mul(192, npairs))
                vk := add(w, 160)
                extcodecopy(tvk, vk, 1, 960)
                mstore(0x40, add(vk, 960))
            }
            // transfer proofs: r_i A_i into the pairs, sum r_i C_i, sum r_i, sum_i r_i x_ij
            uint256[8] memory x; // x[0] = sum r_i (IC_0), x[1 + j] = sum_i r_i x_ij
            assembly {
                mstore(w, 0)
                mstore(add(w, 32), 0)
            }
            for (uint256 i = 0; i < n; i++) {
                uint256 r = _coef(seed, i);
                uint256 t = c.txBase + i * TX_STRIDE + 4;
                bool ok;
                assembly {
                    let dst := add(pairs, mul(192, i))
                    calldatacopy(dst, add(t, 233), 64)
                    mstore(add(dst, 64), r)
                    ok := staticcall(gas(), 7, dst, 96, dst, 64)
                    calldatacopy(add(dst, 64), add(t, 297), 128)
                    calldatacopy(add(w, 64), add(t, 425), 64)
                    mstore(add(w, 128), r)
                    ok := and(ok, staticcall(gas(), 7, add(w, 64), 96, add(w, 64), 64))
                    ok := and(ok, staticcall(gas(), 6, w, 128, w, 64))
                    mstore(x, addmod(mload(x), r, R))
                    for { let j := 0 } lt(j, 7) { j := add(j, 1) } {
                        let p := add(x, mul(32, add(j, 1)))
                        mstore(p, addmod(mload(p), mulmod(r, calldataload(add(t, add(9, mul(32, j)))), R), R))
                    }
                }
                if (!ok) revert InvalidProofPoint(c.first + i);
            }
            _keyPairs(pairs + 192 * (n + m), vk, w, x, 8);
            if (m > 0) _treeBatch(c, seed, pairs, w);
            bool valid;
            assembly {
                let okp := staticcall(gas(), 8, pairs, mul(192, npairs), w, 32)
                valid := and(okp, eq(mload(w), 1))
            }
            if (!valid) _diagnose(c);
        }
    }

    // The three pairs of one key: (-(sum r) alpha, beta), (-L, gamma), (-sum r C, delta), with
    // sum r C at w and L = sum_j x[j] IC_j; vk in memory (alpha, beta, gamma, delta, IC...).
    function _keyPairs(uint256 dst, uint256 vk, uint256 w, uint256[8] memory x, uint256 nic) private view {
        uint256[] memory xs = new uint256[](nic);
        for (uint256 j = 0; j < nic; j++) {
            xs[j] = x[j];
        }
        _keyPairsN(dst, vk, w, xs);
    }

    function _keyPairsN(uint256 dst, uint256 vk, uint256 w, uint256[] memory xs) private view {
        bool ok = true;
        uint256 nic = xs.length;
        assembly {
            let sx := add(xs, 32)
            // pair 3: (-sum r C, delta)
            let d := add(dst, 384)
            mstore(d, mload(w))
            mstore(add(d, 32), mod(sub(P, mload(add(w, 32))), P))
            mcopy(add(d, 64), add(vk, 320), 128)
            // pair 1: (-(sum r) alpha, beta)
            mcopy(dst, vk, 64)
            mstore(add(dst, 64), mload(sx))
            ok := and(ok, staticcall(gas(), 7, dst, 96, dst, 64))
            mstore(add(dst, 32), mod(sub(P, mload(add(dst, 32))), P))
            mcopy(add(dst, 64), add(vk, 64), 128)
            // pair 2: (-L, gamma), L = sum_j xs[j] IC_j (zero scalars skipped)
            mstore(w, 0)
            mstore(add(w, 32), 0)
            for { let j := 0 } lt(j, nic) { j := add(j, 1) } {
                let s := mload(add(sx, mul(32, j)))
                if s {
                    mcopy(add(w, 64), add(vk, add(448, mul(64, j))), 64)
                    mstore(add(w, 128), s)
                    ok := and(ok, staticcall(gas(), 7, add(w, 64), 96, add(w, 64), 64))
                    ok := and(ok, staticcall(gas(), 6, w, 128, w, 64))
                }
            }
            let g := add(dst, 192)
            mstore(g, mload(w))
            mstore(add(g, 32), mod(sub(P, mload(add(w, 32))), P))
            mcopy(add(g, 64), add(vk, 192), 128)
        }
        if (!ok) revert BadProof();
    }

    // The tree-update proofs: coefficients n.., public inputs R_old, R_new, s, k, leaves.
    function _treeBatch(Ctx memory c, bytes32 seed, uint256 pairs, uint256 w) private view {
        uint256 n = c.ntx;
        uint256 m = c.nproofs;
        uint256 mx = maxLeaves;
        uint256[] memory xs = new uint256[](mx + 5);
        uint256 vk;
        address uvk = treeVk;
        assembly {
            vk := mload(0x40)
            let len := add(448, mul(64, add(mx, 5)))
            extcodecopy(uvk, vk, 1, len)
            mstore(0x40, add(vk, len))
            mstore(w, 0)
            mstore(add(w, 32), 0)
        }
        for (uint256 u = 0; u < m; u++) {
            uint256 r = _coef(seed, n + u);
            uint256 pr = c.treeBase + u * TREE_PROOF_BYTES;
            bool ok;
            assembly {
                let dst := add(pairs, mul(192, add(n, u)))
                calldatacopy(dst, add(pr, 32), 64)
                mstore(add(dst, 64), r)
                ok := staticcall(gas(), 7, dst, 96, dst, 64)
                calldatacopy(add(dst, 64), add(pr, 96), 128)
                calldatacopy(add(w, 64), add(pr, 224), 64)
                mstore(add(w, 128), r)
                ok := and(ok, staticcall(gas(), 7, add(w, 64), 96, add(w, 64), 64))
                ok := and(ok, staticcall(gas(), 6, w, 128, w, 64))
            }
            if (!ok) revert InvalidProofPoint(n + u);
            _treeInputs(c, u, xs, r);
        }
        _keyPairsN(pairs + 192 * (n + m + 3), vk, w, xs);
    }

    // xs += r * (1, R_old, R_new, s, k, leaf[0..M)) of tree proof u.
    function _treeInputs(Ctx memory c, uint256 u, uint256[] memory xs, uint256 r) private pure {
        unchecked {
            uint256 mx = xs.length - 5;
            uint256 first = u * mx; // the first leaf's number in the block
            uint256 k = 2 * c.ntx - first;
            if (k > mx) k = mx;
            uint256 rold;
            uint256 rnew;
            uint256 pr = c.treeBase + u * TREE_PROOF_BYTES;
            uint256 orp = c.oldRoots + 32 * u;
            assembly {
                rold := mload(orp)
                rnew := calldataload(pr)
            }
            xs[0] = addmod(xs[0], r, R);
            xs[1] = addmod(xs[1], mulmod(r, rold, R), R);
            xs[2] = addmod(xs[2], mulmod(r, rnew, R), R);
            xs[3] = addmod(xs[3], mulmod(r, c.start + first, R), R);
            xs[4] = addmod(xs[4], mulmod(r, k, R), R);
            uint256 base = c.txBase + 4 + 9 + 32 * 5;
            for (uint256 j = 0; j < k; j++) {
                uint256 leaf = first + j;
                uint256 v = _load(base + (leaf >> 1) * TX_STRIDE + 32 * (leaf & 1));
                xs[5 + j] = addmod(xs[5 + j], mulmod(r, v, R), R);
            }
        }
    }

    // The batch failed: find which proof (gas is the failing submitter's).
    function _diagnose(Ctx memory c) private view {
        uint256 n = c.ntx;
        uint256 mx = maxLeaves;
        for (uint256 u = 0; u < c.nproofs; u++) {
            uint256[] memory xs = new uint256[](mx + 5);
            _treeInputs(c, u, xs, 1);
            if (!_single(treeVk, c.treeBase + u * TREE_PROOF_BYTES + 32, xs, n + u)) revert BadTreeUpdateProof(u);
        }
        for (uint256 i = 0; i < n; i++) {
            if (!_verifyTx(c.txBase + i * TX_STRIDE + 4, c.first + i)) revert BadTransferProof(c.first + i);
        }
        revert BadProof();
    }

    // The proof of the transaction at calldata offset t alone against its public inputs.
    function _verifyTx(uint256 t, uint256 q) private view returns (bool) {
        uint256[] memory xs = new uint256[](8);
        xs[0] = 1;
        for (uint256 j = 0; j < 7; j++) {
            xs[j + 1] = _load(t + 9 + 32 * j);
        }
        return _single(transferVk, t + 233, xs, q);
    }

    // One Groth16 proof (A || B || C at proof in calldata) against the key at vkAddr.
    // A precompile that fails (a point off its curve, or too little gas left: the estimate of a
    // call must not find a gas limit at which the check "fails" cheaply) reverts.
    function _single(address vkAddr, uint256 proof, uint256[] memory xs, uint256 q)
        private
        view
        returns (bool valid)
    {
        uint256 pairs;
        uint256 w;
        uint256 vk;
        uint256 len = 448 + 64 * xs.length;
        assembly {
            pairs := mload(0x40)
            w := add(pairs, 768)
            vk := add(w, 160)
            extcodecopy(vkAddr, vk, 1, len)
            mstore(0x40, add(vk, len))
            calldatacopy(pairs, proof, 192)
            calldatacopy(w, add(proof, 192), 64)
        }
        _keyPairsN(pairs + 192, vk, w, xs);
        bool okp;
        assembly {
            okp := staticcall(gas(), 8, pairs, 768, w, 32)
            valid := eq(mload(w), 1)
        }
        if (!okp) revert InvalidProofPoint(q);
    }

    // --------------------------------------------------------------- helpers ----
    function _offset(bytes calldata b) private pure returns (uint256 off) {
        assembly {
            off := b.offset
        }
    }

    function _load(uint256 off) private pure returns (uint256 v) {
        assembly {
            v := calldataload(off)
        }
    }

    function _swap64(uint64 x) private pure returns (uint64) {
        uint256 w = x;
        w = ((w & 0xFF00FF00FF00FF00) >> 8) | ((w & 0x00FF00FF00FF00FF) << 8);
        w = ((w & 0xFFFF0000FFFF0000) >> 16) | ((w & 0x0000FFFF0000FFFF) << 16);
        w = (w >> 32) | ((w << 32) & 0xFFFFFFFF00000000);
        return uint64(w);
    }

    function _u64le(uint256 off) private pure returns (uint256) {
        return _swap64(uint64(_load(off) >> 192));
    }

    function _u32le(uint256 off) private pure returns (uint256) {
        uint256 w = _load(off) >> 224;
        return ((w & 0xFF) << 24) | ((w & 0xFF00) << 8) | ((w >> 8) & 0xFF00) | (w >> 24);
    }
}
