// Refers to pthread_create weakly, as code that only uses threads when present does.
extern int pthread_create() __attribute__((weak));
int main(void) { return pthread_create ? 1 : 0; }
