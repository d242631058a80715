// SPDX-License-Identifier: Apache-2.0
#include "skbuff.h"

#include <algorithm>
#include <cstring>

namespace igbsim {

namespace {
std::unordered_set<const sk_buff*>& live_set() {
  static std::unordered_set<const sk_buff*> live;
  return live;
}
}  // namespace

const std::unordered_set<const sk_buff*>& live_skbs() { return live_set(); }

sk_buff* sk_buff::build(uint8_t* buf, uint32_t size, uint32_t truesize) {
  auto* skb = new sk_buff;
  live_set().insert(skb);
  skb->head = skb->data = skb->tail = buf;
  skb->end = buf + size;
  skb->truesize = truesize;
  return skb;
}

sk_buff* sk_buff::napi_build_skb(uint8_t* data, uint32_t frag_size) {
  const uint32_t size = SKB_WITH_OVERHEAD(frag_size);  // __finalize_skb_around
  return build(data, size, SKB_TRUESIZE(size));
}

namespace {
// kmalloc_size_roundup for the kmalloc caches of x86_64 (kmalloc-96, -192, then powers of two)
uint32_t kmalloc_size_roundup(uint32_t n) {
  if (n > 64 && n <= 96) return 96;
  if (n > 128 && n <= 192) return 192;
  uint32_t s = 8;
  while (s < n) s <<= 1;
  return s;
}
}  // namespace

// napi_alloc_skb (net/core/skbuff.c), the head igb_construct_skb copies the headers into:
// len += NET_SKB_PAD + NET_IP_ALIGN; a head that fits SKB_WITH_OVERHEAD(1024) takes a 1 KB
// fragment (v6.3 to v6.13, NAPI_HAS_SMALL_PAGE_FRAG: page_frag_alloc_1k, then
// __napi_build_skb(data, 1024)), or before v6.3 a kmalloc-1k head through __alloc_skb (size
// from ksize): either way truesize = SKB_TRUESIZE(SKB_WITH_OVERHEAD(1024)) = 704 + 256 + 320 =
// 1280 for igb's IGB_RX_HDR_LEN = 256 (+ 64 pad = 320 bytes). (v6.14+ and 6.12.y went back to
// kmalloc_reserve, whose skb_small_head_cache gives 896 on a distro config with tunnels, 1280
// on a slim one: config-dependent, so the model keeps the long-standing 1280.) A larger head
// is a kmalloc of SKB_HEAD_ALIGN(len) rounded up to its cache: SKB_TRUESIZE of what is left
// after the shared info.
sk_buff* sk_buff::alloc(uint32_t size) {
  const uint32_t len = size + NET_SKB_PAD + NET_IP_ALIGN;
  const uint32_t buf_size = len <= SKB_WITH_OVERHEAD(1024)
                                ? SKB_WITH_OVERHEAD(1024)
                                : SKB_WITH_OVERHEAD(kmalloc_size_roundup(
                                      SKB_DATA_ALIGN(len) + SKB_DATA_ALIGN(SKB_SHARED_INFO_BYTES)));
  uint8_t* buf = new uint8_t[buf_size];
  sk_buff* skb = build(buf, buf_size, SKB_TRUESIZE(buf_size));
  skb->reserve(NET_SKB_PAD + NET_IP_ALIGN);
  skb->destructor = [buf] { delete[] buf; };
  return skb;
}

sk_buff* sk_buff::alloc_skb(uint32_t size) {
  const uint32_t buf_size = SKB_WITH_OVERHEAD(
      kmalloc_size_roundup(SKB_DATA_ALIGN(size) + SKB_DATA_ALIGN(SKB_SHARED_INFO_BYTES)));
  uint8_t* buf = new uint8_t[buf_size];
  sk_buff* skb = build(buf, buf_size, SKB_TRUESIZE(buf_size));
  skb->destructor = [buf] { delete[] buf; };
  return skb;
}

void sk_buff::reserve(uint32_t n) {
  if (len != 0 || tail + n > end) throw skb_panic("skb_reserve on a non-empty or too small skb");
  data += n;
  tail += n;
}

uint8_t* sk_buff::put(uint32_t n) {
  if (tail + n > end)
    throw skb_panic("skb_over_panic: put " + std::to_string(n) + " with tailroom " +
                    std::to_string(tailroom()));
  uint8_t* old = tail;
  tail += n;
  len += n;
  return old;
}

uint8_t* sk_buff::push(uint32_t n) {
  if (data - n < head || n > static_cast<uint32_t>(data - head))
    throw skb_panic("skb_under_panic: push " + std::to_string(n) + " with headroom " +
                    std::to_string(headroom()));
  data -= n;
  len += n;
  return data;
}

uint8_t* sk_buff::pull(uint32_t n) {
  if (n > headlen()) return nullptr;
  data += n;
  len -= n;
  return data;
}

uint8_t* sk_buff::pskb_pull(uint32_t n) {
  if (n <= headlen()) return pull(n);
  if (n > len) return nullptr;
  uint32_t from_frags = n - headlen();
  data = tail;  // the linear part is all consumed
  len -= n;
  data_len -= from_frags;
  size_t gone = 0;
  while (from_frags) {
    skb_frag& f = frags[gone];
    const uint32_t c = std::min(from_frags, f.len);
    f.data += c;
    f.len -= c;
    from_frags -= c;
    if (f.len == 0) ++gone;
  }
  frags.erase(frags.begin(), frags.begin() + static_cast<long>(gone));
  own_frags -= std::min(own_frags, gone);
  return data;
}

// pskb_trim: cut to n bytes, from the fragments first.
void sk_buff::trim(uint32_t n) {
  if (n >= len) return;
  if (n < headlen()) {
    frags.clear();
    data_len = 0;
    tail = data + n;
  } else {
    uint32_t keep = n - headlen();
    size_t i = 0;
    for (; i < frags.size() && keep >= frags[i].len; ++i) keep -= frags[i].len;
    if (i < frags.size()) {
      frags[i].len = keep;
      frags.resize(keep ? i + 1 : i);
    }
    data_len = n - headlen();
  }
  len = n;
}

void sk_buff::add_rx_frag(uint8_t* d, uint32_t size, uint32_t frag_truesize) {
  frags.push_back({d, size});
  len += size;
  data_len += size;
  truesize += frag_truesize;
}

void sk_buff::copy_bits(uint32_t off, uint8_t* to, uint32_t n) const {
  if (off + n > len) throw skb_panic("skb_copy_bits past the end");
  const uint32_t lin = headlen();
  while (n && off < lin) {
    const uint32_t c = std::min(n, lin - off);
    std::memcpy(to, data + off, c);
    to += c;
    off += c;
    n -= c;
  }
  off -= lin;
  for (const auto& f : frags) {
    if (!n) break;
    if (off >= f.len) {
      off -= f.len;
      continue;
    }
    const uint32_t c = std::min(n, f.len - off);
    std::memcpy(to, f.data + off, c);
    to += c;
    n -= c;
    off = 0;
  }
}

void kfree_skb(sk_buff* skb) {
  if (!skb) return;
  for (sk_buff* m : skb->frag_list) kfree_skb(m);
  if (skb->sk_destructor) skb->sk_destructor(skb);  // skb_release_head_state: sock_wfree
  if (skb->destructor) skb->destructor();
  live_set().erase(skb);
  delete skb;
}

std::vector<sk_buff*> gro_split(sk_buff* skb) {
  std::vector<sk_buff*> parts{skb};
  if (skb->frag_list.empty()) return parts;
  const uint32_t merged = skb->merged_len();
  skb->len -= merged;
  skb->data_len -= merged;
  skb->frags.resize(skb->own_frags);
  for (sk_buff* m : skb->frag_list) parts.push_back(m);
  skb->frag_list.clear();
  return parts;
}

void skb_page_frag_refill(uint32_t sz, page_frag* pfrag) {
  if (pfrag->page) {
    if (pfrag->page.use_count() == 1) {
      pfrag->offset = 0;
      return;
    }
    if (pfrag->offset + sz <= pfrag->size) return;
  }
  pfrag->page = std::make_shared<std::vector<uint8_t>>(SKB_FRAG_PAGE_BYTES);
  pfrag->offset = 0;
  pfrag->size = SKB_FRAG_PAGE_BYTES;
}

}  // namespace igbsim
