// SPDX-License-Identifier: Apache-2.0
// Encoding pixels as JPEG with libjpeg, for the tests and benchmarks that
// make their own images (pdq_image_test, bench/pdq). Header-only: each user
// already links libjpeg.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

// After the C headers: jpeglib.h needs stdio.h's FILE and stddef.h's size_t.
#include <jpeglib.h>

namespace exchange::testing {

// `samples` holds height rows of width × components bytes in `space`
// (JCS_GRAYSCALE, JCS_RGB, JCS_CMYK: a CMYK file with Adobe's APP14 marker).
inline std::vector<uint8_t> EncodeJpeg(int width, int height, int components, J_COLOR_SPACE space,
                                       const std::vector<uint8_t>& samples, int quality, bool progressive = false) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr error;
  cinfo.err = jpeg_std_error(&error);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = components;
  cinfo.in_color_space = space;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = static_cast<size_t>(width) * static_cast<size_t>(components);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(samples.data() + cinfo.next_scanline * stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

}  // namespace exchange::testing
