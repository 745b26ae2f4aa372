#ifndef GLIMPSE_CNCURSES_H
#define GLIMPSE_CNCURSES_H

// A narrow C surface over ncursesw. curses.h itself is not exposed because
// most of what Swift needs there is macros (COLOR_PAIR, getmaxyx, KEY_*,
// A_*) that Swift cannot import.

#include <stdbool.h>
#include <stdint.h>

/// Cell attributes, as bits of the `attributes` argument of glimpse_put_cell.
enum {
    GLIMPSE_ATTRIBUTE_BOLD = 1,
    GLIMPSE_ATTRIBUTE_REVERSE = 2,
    GLIMPSE_ATTRIBUTE_UNDERLINE = 4,
    GLIMPSE_ATTRIBUTE_DIM = 8,
};

/// What one poll of the keyboard produced.
typedef enum {
    GLIMPSE_INPUT_NONE = 0,
    GLIMPSE_INPUT_CHARACTER,
    GLIMPSE_INPUT_KEY,
    GLIMPSE_INPUT_RESIZE,
    GLIMPSE_INPUT_CLICK,
} glimpse_input_kind;

/// Function keys, for GLIMPSE_INPUT_KEY.
typedef enum {
    GLIMPSE_KEY_UP = 0,
    GLIMPSE_KEY_DOWN,
    GLIMPSE_KEY_LEFT,
    GLIMPSE_KEY_RIGHT,
    GLIMPSE_KEY_ENTER,
    GLIMPSE_KEY_BACKSPACE,
    GLIMPSE_KEY_BACKTAB,
    GLIMPSE_KEY_HOME,
    GLIMPSE_KEY_END,
    GLIMPSE_KEY_PAGE_UP,
    GLIMPSE_KEY_PAGE_DOWN,
    GLIMPSE_KEY_DELETE,
    GLIMPSE_KEY_OTHER,
} glimpse_key;

typedef struct {
    glimpse_input_kind kind;
    /// The Unicode scalar for GLIMPSE_INPUT_CHARACTER (control characters included).
    uint32_t codepoint;
    glimpse_key key;
    /// Screen position of a GLIMPSE_INPUT_CLICK.
    int row;
    int column;
} glimpse_input;

/// Adopts the user's locale so that ncursesw writes UTF-8.
void glimpse_adopt_locale(void);

/// Starts curses on the controlling terminal: cbreak, no echo, keypad,
/// hidden cursor, `timeout_ms` keyboard polling, colours when available,
/// and button-1 clicks when `mouse` is true. Returns false when the
/// terminal cannot be initialised (unknown TERM, for instance).
bool glimpse_start(int timeout_ms, bool mouse);

/// Restores the terminal; safe to call more than once.
void glimpse_stop(void);

/// Installs SIGINT/SIGTERM handlers that raise a flag read by
/// glimpse_interrupted, and handlers for fatal signals that restore the
/// terminal before the default action runs.
void glimpse_install_signal_handlers(void);
bool glimpse_interrupted(void);

void glimpse_screen_size(int *rows, int *columns);
/// Number of colours the terminal offers (0 without colour support).
int glimpse_colour_count(void);
/// Number of colour pairs curses can define, pair 0 excluded.
int glimpse_pair_capacity(void);
/// Defines `pair` as `foreground` on `background`; -1 is the terminal's default colour.
bool glimpse_define_pair(int pair, int foreground, int background);

/// Writes one character cell. Writing the bottom-right cell is allowed.
void glimpse_put_cell(int row, int column, uint32_t codepoint, unsigned attributes, int pair);
/// Makes the next refresh repaint the whole terminal.
void glimpse_invalidate(void);
void glimpse_refresh(void);

/// Waits up to the polling timeout for one input event.
glimpse_input glimpse_read_input(void);

#endif
