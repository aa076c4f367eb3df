// ombuds: solves the intake form's proof-of-work puzzle while the page is open, so that the
// concern gets through first when the service is very busy. Without this script the form still
// works. It reads nothing from the page but the puzzle, sends nothing anywhere, and stores
// nothing: it only fills in the hidden field `pow_nonce`.
(function () {
  "use strict";
  var challengeField = document.getElementById("pow_challenge");
  var nonceField = document.getElementById("pow_nonce");
  var status = document.getElementById("pow_status");
  if (!challengeField || !nonceField) { return; }
  var challenge = challengeField.value;
  var bits = parseInt(challengeField.getAttribute("data-bits"), 10) || 0;

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];
  var W = new Array(64);

  // SHA-256 of an ASCII string (the challenge and nonce are ASCII); returns eight 32-bit words.
  function sha256(text) {
    var n = text.length;
    var blocks = ((n + 8) >> 6) + 1;
    var words = new Array(blocks * 16);
    var i;
    for (i = 0; i < words.length; i++) { words[i] = 0; }
    for (i = 0; i < n; i++) { words[i >> 2] |= text.charCodeAt(i) << (24 - (i % 4) * 8); }
    words[n >> 2] |= 0x80 << (24 - (n % 4) * 8);
    words[words.length - 1] = n * 8;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    for (var b = 0; b < words.length; b += 16) {
      var t;
      for (t = 0; t < 16; t++) { W[t] = words[b + t]; }
      for (t = 16; t < 64; t++) {
        var x = W[t - 15], y = W[t - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = h[0], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7], bb = h[1];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (hh + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & bb) ^ (a & c) ^ (bb & c);
        var t2 = (S0 + maj) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + bb) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    return h;
  }

  function zeroBits(h) {
    var count = 0;
    for (var i = 0; i < 8; i++) {
      var word = h[i] >>> 0;
      if (word === 0) { count += 32; continue; }
      return count + Math.clz32(word);
    }
    return count;
  }

  var nonce = 0;
  function work() {
    var until = Date.now() + 50;
    while (Date.now() < until) {
      for (var i = 0; i < 500; i++, nonce++) {
        if (zeroBits(sha256(challenge + ":" + nonce.toString(36))) >= bits) {
          nonceField.value = nonce.toString(36);
          if (status) { status.textContent = status.getAttribute("data-done"); }
          return;
        }
      }
    }
    setTimeout(work, 0);
  }
  if (status) { status.textContent = status.getAttribute("data-working"); }
  setTimeout(work, 0);
})();
