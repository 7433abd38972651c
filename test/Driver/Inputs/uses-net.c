int open_socket(void);
int main(void) { return open_socket() < 0; }
