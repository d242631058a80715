#include "skbuff.h"

namespace igbsim {

sk_buff* sk_buff::build(uint8_t* buf, uint32_t size, uint32_t truesize) {
  auto* skb = new sk_buff;
  skb->head = skb->data = skb->tail = buf;
  skb->end = buf + size;
  skb->truesize = truesize;
  return skb;
}

void sk_buff::reserve(uint32_t n) {
  if (len != 0 || tail + n > end) throw skb_panic("skb_reserve on a non-empty or too small skb");
  data += n;
  tail += n;
}

uint8_t* sk_buff::put(uint32_t n) {
  if (tail + n > end) throw skb_panic("skb_over_panic: put " + std::to_string(n) + " with tailroom " + std::to_string(tailroom()));
  uint8_t* old = tail;
  tail += n;
  len += n;
  return old;
}

uint8_t* sk_buff::push(uint32_t n) {
  if (data - n < head || n > static_cast<uint32_t>(data - head)) throw skb_panic("skb_under_panic: push " + std::to_string(n) + " with headroom " + std::to_string(headroom()));
  data -= n;
  len += n;
  return data;
}

uint8_t* sk_buff::pull(uint32_t n) {
  if (n > len) return nullptr;
  data += n;
  len -= n;
  return data;
}

void sk_buff::trim(uint32_t n) {
  if (n < len) {
    len = n;
    tail = data + n;
  }
}

void kfree_skb(sk_buff* skb) {
  if (!skb) return;
  if (skb->destructor) skb->destructor();
  delete skb;
}

}  // namespace igbsim
