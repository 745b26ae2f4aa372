#include "cimage.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

// Every piece of state that changes after setjmp lives behind a pointer, so
// its value is well defined again after libpng longjmps back.
struct png_reader {
    const uint8_t *data;
    size_t size;
    size_t offset;
    int truncated;
    png_structp png;
    png_infop info;
    png_bytep *rows;
    cimage_image *image;
};

struct png_writer {
    png_structp png;
    png_infop info;
    png_bytep *rows;
    size_t capacity;
    cimage_buffer *buffer;
};

static void record_error(png_structp png, png_const_charp text) {
    char *message = png_get_error_ptr(png);
    snprintf(message, CIMAGE_MESSAGE_SIZE, "%s", text);
    png_longjmp(png, 1);
}

static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

// Pointers to the rows of one block of samples; NULL when out of memory.
static png_bytep *row_pointers(const uint8_t *samples, size_t row_bytes, uint32_t height) {
    png_bytep *rows = calloc(height, sizeof *rows);
    for (size_t y = 0; rows != NULL && y < height; y++) {
        // libpng takes non-const rows; when encoding it does not write to them.
        rows[y] = (png_bytep)(samples + y * row_bytes);
    }
    return rows;
}

static void read_from_memory(png_structp png, png_bytep out, size_t length) {
    struct png_reader *reader = png_get_io_ptr(png);
    if (length > reader->size - reader->offset) {
        reader->truncated = 1;
        png_error(png, "data ends early");
    }
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
}

static cimage_status read_png(struct png_reader *reader, uint64_t max_pixels, int header_only) {
    if (setjmp(png_jmpbuf(reader->png))) {
        return reader->truncated ? CIMAGE_TRUNCATED : CIMAGE_CORRUPT;
    }
    png_structp png = reader->png;
    png_infop info = reader->info;
    cimage_image *image = reader->image;

    // Ancillary-chunk problems such as a wrong colour profile do not stop
    // other decoders either.
    png_set_benign_errors(png, 1);
    png_set_read_fn(png, reader, read_from_memory);
    png_read_info(png, info);
    image->width = png_get_image_width(png, info);
    image->height = png_get_image_height(png, info);
    if ((uint64_t)image->width * image->height > max_pixels) {
        return CIMAGE_TOO_LARGE;
    }
    png_set_palette_to_rgb(png);
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    image->channels = png_get_channels(png, info);
    image->bytes_per_sample = png_get_bit_depth(png, info) == 16 ? 2 : 1;
    if (header_only) {
        return CIMAGE_OK;
    }

    size_t row_bytes = png_get_rowbytes(png, info);
    size_t height = image->height;
    if (row_bytes == 0 || height > SIZE_MAX / row_bytes) {
        return CIMAGE_NO_MEMORY;
    }
    image->samples = malloc(row_bytes * height);
    if (image->samples == NULL) {
        return CIMAGE_NO_MEMORY;
    }
    reader->rows = row_pointers(image->samples, row_bytes, image->height);
    if (reader->rows == NULL) {
        return CIMAGE_NO_MEMORY;
    }
    png_read_image(png, reader->rows);
    // Reading to IEND checks the final checksums and notices a cut-off file.
    png_read_end(png, NULL);
    return CIMAGE_OK;
}

cimage_status cimage_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels,
                                int header_only, cimage_image *image) {
    memset(image, 0, sizeof *image);
    struct png_reader reader = {.data = data, .size = size, .image = image};
    reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, image->message, record_error, ignore_warning);
    reader.info = reader.png == NULL ? NULL : png_create_info_struct(reader.png);
    cimage_status status = reader.info == NULL ? CIMAGE_NO_MEMORY : read_png(&reader, max_pixels, header_only);
    png_destroy_read_struct(&reader.png, &reader.info, NULL);
    free(reader.rows);
    if (status != CIMAGE_OK) {
        cimage_free_image(image);
    }
    return status;
}

static void write_to_memory(png_structp png, png_bytep data, size_t length) {
    struct png_writer *writer = png_get_io_ptr(png);
    cimage_buffer *buffer = writer->buffer;
    if (length > SIZE_MAX / 2 - buffer->size) {
        png_error(png, "encoded image too large");
    }
    size_t needed = buffer->size + length;
    if (needed > writer->capacity) {
        size_t capacity = needed + needed / 2;
        uint8_t *grown = realloc(buffer->bytes, capacity);
        if (grown == NULL) {
            png_error(png, "out of memory");
        }
        buffer->bytes = grown;
        writer->capacity = capacity;
    }
    memcpy(buffer->bytes + buffer->size, data, length);
    buffer->size = needed;
}

static void flush_nothing(png_structp png) { (void)png; }

static cimage_status write_png(struct png_writer *writer, const uint8_t *samples, uint32_t width,
                               uint32_t height, uint32_t channels) {
    if (setjmp(png_jmpbuf(writer->png))) {
        return CIMAGE_CORRUPT;
    }
    png_structp png = writer->png;
    writer->rows = row_pointers(samples, (size_t)width * channels, height);
    if (writer->rows == NULL) {
        return CIMAGE_NO_MEMORY;
    }
    png_set_write_fn(png, writer, write_to_memory, flush_nothing);
    png_set_IHDR(png, writer->info, width, height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, writer->info);
    png_write_image(png, writer->rows);
    png_write_end(png, NULL);
    return CIMAGE_OK;
}

cimage_status cimage_encode_png(const uint8_t *samples, uint32_t width, uint32_t height,
                                uint32_t channels, cimage_buffer *buffer) {
    memset(buffer, 0, sizeof *buffer);
    if (channels != 1 && channels != 3) {
        snprintf(buffer->message, CIMAGE_MESSAGE_SIZE, "%u channels; PNG output takes 1 or 3", channels);
        return CIMAGE_CORRUPT;
    }
    struct png_writer writer = {.buffer = buffer};
    writer.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, buffer->message, record_error, ignore_warning);
    writer.info = writer.png == NULL ? NULL : png_create_info_struct(writer.png);
    cimage_status status = writer.info == NULL ? CIMAGE_NO_MEMORY : write_png(&writer, samples, width, height, channels);
    png_destroy_write_struct(&writer.png, &writer.info);
    free(writer.rows);
    if (status != CIMAGE_OK) {
        cimage_free_buffer(buffer);
    }
    return status;
}

void cimage_free_image(cimage_image *image) {
    free(image->samples);
    image->samples = NULL;
}

void cimage_free_buffer(cimage_buffer *buffer) {
    free(buffer->bytes);
    buffer->bytes = NULL;
    buffer->size = 0;
}
