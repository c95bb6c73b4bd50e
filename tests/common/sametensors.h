// Test helper for the tests that reach into the torch side: whether two sets of named tensors
// (a model's weights and statistics, say) are bit-identical.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

namespace studio::testdata {

// True when `a` and `b` hold the same names and, under each, bit-identical tensors.
inline bool identical(const std::map<std::string, torch::Tensor>& a,
                      const std::map<std::string, torch::Tensor>& b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (const auto& [name, tensor] : a) {
        const auto other = b.find(name);
        if (other == b.end() ||
            !torch::equal(tensor.cpu().contiguous(), other->second.cpu().contiguous())) {
            return false;
        }
    }
    return true;
}

} // namespace studio::testdata
