#ifndef CIMAGE_H
#define CIMAGE_H

// PNG and JPEG decoding and PNG encoding on memory buffers. libpng and libjpeg
// report errors by longjmp, which Swift cannot survive, so every call here
// catches them and returns a status instead; nothing here exits or aborts,
// and a failed call leaves nothing allocated.

#include <stddef.h>
#include <stdint.h>

#define CIMAGE_MESSAGE_SIZE 200

typedef enum {
    CIMAGE_OK = 0,
    CIMAGE_CORRUPT = 1,    // `message` says what the library found wrong
    CIMAGE_TRUNCATED = 2,  // the data ended before the image did
    CIMAGE_TOO_LARGE = 3,  // width × height is over `max_pixels`; width and height are set
    CIMAGE_NO_MEMORY = 4,
} cimage_status;

typedef struct {
    // height rows of width × channels interleaved samples; NULL when only the
    // header was read. 16-bit samples are big-endian, as PNG stores them.
    uint8_t *samples;
    uint32_t width;
    uint32_t height;
    uint32_t channels;          // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
    uint32_t bytes_per_sample;  // 1 or 2
    char message[CIMAGE_MESSAGE_SIZE];
} cimage_image;

// Palette images come out as RGB or RGBA, low bit depths as 8 bits.
// With header_only set, fills in the size and channels without decoding.
cimage_status cimage_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels,
                                int header_only, cimage_image *image);

// Greyscale comes out as 1 channel, everything else (YCbCr, RGB, CMYK, YCCK) as RGB.
cimage_status cimage_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels,
                                 int header_only, cimage_image *image);

void cimage_free_image(cimage_image *image);

typedef struct {
    uint8_t *bytes;
    size_t size;
    char message[CIMAGE_MESSAGE_SIZE];
} cimage_buffer;

// Encodes height rows of width × channels 8-bit samples (1 grey or 3 RGB).
cimage_status cimage_encode_png(const uint8_t *samples, uint32_t width, uint32_t height,
                                uint32_t channels, cimage_buffer *buffer);

void cimage_free_buffer(cimage_buffer *buffer);

#endif
