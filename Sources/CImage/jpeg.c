#include "cimage.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

_Static_assert(CIMAGE_MESSAGE_SIZE >= JMSG_LENGTH_MAX, "libjpeg formats messages of up to JMSG_LENGTH_MAX bytes");

struct jpeg_failure {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    int truncated;
    char *message;
};

// As in png.c, state that changes after setjmp lives behind a pointer.
struct jpeg_reader {
    struct jpeg_decompress_struct decompress;
    struct jpeg_failure failure;
    uint8_t *cmyk_row;
    cimage_image *image;
};

static void fail(j_common_ptr common) {
    struct jpeg_failure *failure = (struct jpeg_failure *)common->err;
    common->err->format_message(common, failure->message);
    longjmp(failure->jump, 1);
}

static void on_message(j_common_ptr common, int level) {
    // When the data runs out, libjpeg only warns and pads the image with
    // grey; that is a cut-off file, not an image. Other warnings (stray bytes
    // between segments and the like) are common in files that look right.
    if (level < 0 && common->err->msg_code == JWRN_JPEG_EOF) {
        ((struct jpeg_failure *)common->err)->truncated = 1;
        fail(common);
    }
}

// CMYK ink amounts to RGB the way PIL converts them: each colour is what the
// ink lets through of the light that black lets through. Adobe's encoders
// store ink inverted (255 = none) and say so with an APP14 segment.
static void cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb, uint32_t width, int inverted) {
    for (uint32_t x = 0; x < width; x++) {
        unsigned ink[4];
        for (int channel = 0; channel < 4; channel++) {
            unsigned stored = cmyk[4 * x + channel];
            ink[channel] = inverted ? 255 - stored : stored;
        }
        unsigned light = 255 - ink[3];
        for (int channel = 0; channel < 3; channel++) {
            rgb[3 * x + channel] = (uint8_t)(light - (ink[channel] * light + 127) / 255);
        }
    }
}

static cimage_status read_jpeg(struct jpeg_reader *reader, const uint8_t *data, size_t size,
                               uint64_t max_pixels, int header_only) {
    if (setjmp(reader->failure.jump)) {
        return reader->failure.truncated ? CIMAGE_TRUNCATED : CIMAGE_CORRUPT;
    }
    j_decompress_ptr decompress = &reader->decompress;
    cimage_image *image = reader->image;

    jpeg_create_decompress(decompress);
    jpeg_mem_src(decompress, data, size);
    jpeg_read_header(decompress, TRUE);
    image->width = decompress->image_width;
    image->height = decompress->image_height;
    if ((uint64_t)image->width * image->height > max_pixels) {
        return CIMAGE_TOO_LARGE;
    }
    int grey = decompress->jpeg_color_space == JCS_GRAYSCALE;
    int cmyk = decompress->jpeg_color_space == JCS_CMYK || decompress->jpeg_color_space == JCS_YCCK;
    decompress->out_color_space = grey ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
    image->channels = grey ? 1 : 3;
    image->bytes_per_sample = 1;
    if (header_only) {
        return CIMAGE_OK;
    }

    size_t row_samples = (size_t)image->width * image->channels;
    if (image->height > 0 && row_samples > SIZE_MAX / image->height) {
        return CIMAGE_NO_MEMORY;
    }
    image->samples = malloc(row_samples * image->height);
    if (cmyk) {
        reader->cmyk_row = malloc((size_t)image->width * 4);
    }
    if (image->samples == NULL || (cmyk && reader->cmyk_row == NULL)) {
        return CIMAGE_NO_MEMORY;
    }
    jpeg_start_decompress(decompress);
    while (decompress->output_scanline < decompress->output_height) {
        uint8_t *destination = image->samples + decompress->output_scanline * row_samples;
        JSAMPROW row = cmyk ? reader->cmyk_row : destination;
        jpeg_read_scanlines(decompress, &row, 1);
        if (cmyk) {
            cmyk_to_rgb(reader->cmyk_row, destination, image->width, decompress->saw_Adobe_marker);
        }
    }
    // Reading to the end-of-image marker notices a file cut off after the last row.
    jpeg_finish_decompress(decompress);
    return CIMAGE_OK;
}

cimage_status cimage_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels,
                                 int header_only, cimage_image *image) {
    memset(image, 0, sizeof *image);
    struct jpeg_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) {
        return CIMAGE_NO_MEMORY;
    }
    reader->image = image;
    reader->failure.message = image->message;
    reader->decompress.err = jpeg_std_error(&reader->failure.manager);
    reader->failure.manager.error_exit = fail;
    reader->failure.manager.emit_message = on_message;

    cimage_status status = read_jpeg(reader, data, size, max_pixels, header_only);
    jpeg_destroy_decompress(&reader->decompress);
    free(reader->cmyk_row);
    free(reader);
    if (status != CIMAGE_OK) {
        cimage_free_image(image);
    }
    return status;
}
