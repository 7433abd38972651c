// ImageFileTest: images are untrusted input; mutated and truncated images are refused
// with an error, never a crash or a read outside the file.
#include "ImageFile.h"
#include "ManifestView.h"
#include "Symbolizer.h"

#include "Error.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

using namespace ukcxx;

namespace {

std::vector<uint8_t> probeImage() {
  std::ifstream In(UK_TEST_IMAGE, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(In), {});
}

/// Everything a host tool does with an image, which must only ever throw Error.
void useImage(std::vector<uint8_t> Bytes) {
  auto Image = ImageFile::parse(std::move(Bytes), "mutated.img");
  if (!Image.manifestNote().empty())
    ManifestView::decode(Image.manifestNote());
  Symbolizer S(Image);
  S.describe(Image.entry());
}

TEST(ImageFile, TheProbeImageIsValid) {
  auto Bytes = probeImage();
  ASSERT_GT(Bytes.size(), 4096u);
  auto Image = ImageFile::parse(Bytes, "probe.img");
  EXPECT_TRUE(Image.pvhEntry().has_value());
  EXPECT_FALSE(Image.manifestNote().empty());
  EXPECT_EQ(ManifestView::decode(Image.manifestNote()).Name, "probe");
  EXPECT_EQ(Symbolizer(Image).describe(Image.entry()), "_start+0x0");
}

TEST(ImageFile, MutatedHeadersNeverCrash) {
  auto Original = probeImage();
  std::mt19937 Gen(1234);
  // The headers, program headers and notes are in the first 4 KiB.
  std::uniform_int_distribution<size_t> At(0, 4095);
  std::uniform_int_distribution<int> Byte(0, 255);
  int Refused = 0;
  for (int Round = 0; Round < 3000; ++Round) {
    auto Bytes = Original;
    for (int N = 1 + Round % 4; N > 0; --N)
      Bytes[At(Gen)] = uint8_t(Byte(Gen));
    try {
      useImage(std::move(Bytes));
    } catch (const Error &) {
      ++Refused;
    }
  }
  EXPECT_GT(Refused, 100);
}

TEST(ImageFile, TruncatedImagesAreRefused) {
  auto Original = probeImage();
  for (size_t Size : {size_t(0), size_t(10), size_t(63), size_t(64), size_t(200), size_t(4096),
                      Original.size() / 2}) {
    std::vector<uint8_t> Bytes(Original.begin(), Original.begin() + Size);
    EXPECT_THROW(useImage(Bytes), Error) << "size " << Size;
  }
}

} // namespace
